import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// More of the handler lifecycle: backpressure, HEAD, async errors, Deferred prepare, malformed cookies.
@Suite @ReactorActor struct TornadoLifecycleTests {
    final class Streamer: RequestHandler {
        nonisolated(unsafe) static var current: Streamer?
        override func get() throws -> HandlerResult {
            Self.current = self
            write("first")
            flush()
            autoFinish = false
            return .done
        }
    }

    @Test func flushWaitsWhileTheClientIsNotReading() throws {
        let h = AppHarness([URLSpec("/", Streamer.self)])
        h.fetch("/")
        let s = try #require(Streamer.current)
        h.harness.transport.pauseRegisteredProducer()
        s.write("second")
        let d = s.flush()
        #expect(!d.called)
        h.harness.transport.resumeRegisteredProducer()
        #expect(d.called)
        s.finish()
        let out = String(buffer: h.harness.transport.takeBytes())
        #expect(out.contains("second"))
        #expect(out.hasSuffix("0\r\n\r\n"))
    }

    @Test func headIsServedWhenOverriddenWithTheLengthOfTheBody() throws {
        final class WithHead: RequestHandler {
            override func get() throws -> HandlerResult { write("twelve bytes"); return .done }
            override func head() throws -> HandlerResult { try get() }
        }
        let h = AppHarness([URLSpec("/", WithHead.self)])
        let g = try #require(h.fetch("/"))
        let r = try #require(h.fetch("/", method: "HEAD"))
        #expect(r.code == 200)
        #expect(r.header("Content-Length") == "12")
        #expect(r.header("Etag") == g.header("Etag"))
        #expect(r.body == "")
    }

    @Test func anAsyncHandlerThatThrowsAnswersItsError() async throws {
        let h = AppHarness([
            route("/http", get: { _ in .async { throw HTTPError(418) } }),
            route("/other", get: { _ in .async { struct E: Error {}; throw E() } }),
        ])
        func answer(_ path: String) async -> Int? {
            if let r = h.fetch(path) { return r.code }
            for _ in 0..<100 where h.harness.transport.written.readableBytes == 0 { await Task.yield() }
            return h.take()?.code
        }
        #expect(await answer("/http") == 418)
        #expect(await answer("/other") == 500)
    }

    @Test func aDeferredPrepareDelaysTheVerbAndItsFailureAnswers() throws {
        let ready = Deferred<Void>()
        var order: [String] = []
        let h = AppHarness([route("/", get: { hd in order.append("get"); hd.write("ok"); return .done },
                                  prepare: { _ in order.append("prepare"); return .deferred(ready) })])
        #expect(h.fetch("/") == nil)
        #expect(order == ["prepare"])
        ready.callback(())
        #expect(order == ["prepare", "get"])
        #expect(h.take()?.body == "ok")

        let broken = Deferred<Void>()
        let h2 = AppHarness([route("/", get: { _ in .done }, prepare: { _ in .deferred(broken) })])
        h2.fetch("/")
        broken.errback(HTTPError(401))
        #expect(h2.take()?.code == 401)
    }

    /// Ports tornado.md §3 item 5.
    @Test func aMalformedCookieHeaderGivesTheDefault() throws {
        var got: String?
        let h = AppHarness([route("/", get: { got = $0.getCookie("foo", default: "default"); return .done })])
        h.fetch("/", headers: [("Cookie", "=;;; garbage")])
        #expect(got == "default")
        h.fetch("/", headers: [("Cookie", "a=1; foo=bar")])
        #expect(got == "bar")
    }

    @Test func currentUserIsComputedOnceAndCanBeAssigned() throws {
        final class Counting: RequestHandler {
            nonisolated(unsafe) static var calls = 0
            override func getCurrentUser() -> Any? { Self.calls += 1; return "ann" }
            override func prepare() throws -> HandlerResult {
                if request.path == "/assigned" { currentUser = "bob" }
                return .done
            }
            override func get() throws -> HandlerResult {
                write("\(currentUser ?? "-") \(currentUser ?? "-")")
                return .done
            }
        }
        let h = AppHarness([URLSpec("/", Counting.self), URLSpec("/assigned", Counting.self)])
        #expect(h.fetch("/")?.body == "ann ann")
        #expect(Counting.calls == 1)
        #expect(h.fetch("/assigned")?.body == "bob bob")
        #expect(Counting.calls == 1)
    }

    /// Ports tornado.md §3 item 36.
    @Test func keepAliveServesSeveralHandlersOnOneConnection() throws {
        let h = AppHarness([route("/a", get: { $0.write("A"); return .done }), route("/b", get: { $0.write("B"); return .done })])
        h.harness.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        let rs = parseResponses(Array(h.harness.transport.takeBytes().readableBytesView))
        #expect(rs.map(\.code) == [200, 200, 404])
        #expect(rs.map(\.body).prefix(2) == ["A", "B"])
    }
}
