import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// A streaming handler that sets its own body-size limit in `prepare` (when `limit` is set) and answers with the
/// number of bytes it received.
@ReactorActor
final class LimitSetter: RequestHandler {
    nonisolated(unsafe) static var limit: Int?
    nonisolated(unsafe) static var events: [String] = []
    /// When set, `prepare` returns it (an async `prepare`); the test sets the limit on `last` before firing it.
    nonisolated(unsafe) static var gate: Deferred<Void>?
    nonisolated(unsafe) static var last: LimitSetter?
    override class var streamRequestBody: Bool { true }
    var received = 0
    override func prepare() throws -> HandlerResult {
        Self.last = self
        if let g = Self.gate { return .deferred(g) }
        if let n = Self.limit { setMaxBodySize(n) }
        return .done
    }
    override func dataReceived(_ chunk: ByteBuffer) throws -> HandlerResult {
        received += chunk.readableBytes
        Self.events.append("data:\(chunk.readableBytes)")
        return .done
    }
    override func post() throws -> HandlerResult {
        write("received \(received)")
        return .done
    }
    override func onConnectionClose() { Self.events.append("onConnectionClose") }

    static func reset(_ n: Int?) { limit = n; events = []; gate = nil; last = nil }
}

/// A buffered (non-streaming) handler that tries to raise the limit, which it cannot: its body is already read.
@ReactorActor
final class BufferedLimitSetter: RequestHandler {
    override func prepare() throws -> HandlerResult { setMaxBodySize(1 << 20); return .done }
    override func post() throws -> HandlerResult { write("received \(request.content.count)"); return .done }
}

/// tornado.md §3 item 39: a streaming handler's own body-size limit (`request.connection.set_max_body_size`),
/// in place of the server's `max_body_size`, for sized and chunked bodies.
@Suite(.serialized) @ReactorActor struct TornadoBodyLimitTests {
    static func settings() -> HTTPServerSettings {
        var s = HTTPServerSettings()
        s.maxBodySize = 16
        return s
    }
    let body40 = String(repeating: "x", count: 40)

    func harness() -> SiteHarness {
        SiteHarness(Application([URLSpec("/up", LimitSetter.self), URLSpec("/buffered", BufferedLimitSetter.self)]),
                settings: Self.settings())
    }

    func chunked(_ pieces: [String]) -> String {
        pieces.map { String($0.utf8.count, radix: 16) + "\r\n" + $0 + "\r\n" }.joined() + "0\r\n\r\n"
    }

    @Test func aStreamingHandlerRaisingTheLimitReceivesABodyLargerThanTheDefault() {
        LimitSetter.reset(64)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n" + body40)
        let out = h.take()
        #expect(SiteHarness.statuses(out) == [200])
        #expect(out.hasSuffix("received 40"))
        #expect(!h.transport.disconnecting)
    }

    @Test func aRaisedLimitAlsoAdmitsALargerChunkedBody() {
        LimitSetter.reset(64)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        h.send(chunked([String(body40.prefix(20)), String(body40.prefix(20))]))
        let out = h.take()
        #expect(SiteHarness.statuses(out) == [200])
        #expect(out.hasSuffix("received 40"))
    }

    @Test func aBodyOverTheRaisedLimitIsStillRefusedWith413() {
        LimitSetter.reset(32)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n" + body40)
        let out = h.take()
        #expect(SiteHarness.statuses(out) == [413])
        #expect(out.contains("Connection: close"))
        #expect(h.transport.disconnecting)
        #expect(LimitSetter.events.isEmpty)

        LimitSetter.reset(32)
        let c = harness()
        c.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        c.send("14\r\n" + String(body40.prefix(20)) + "\r\n")
        #expect(c.take().isEmpty)
        c.send(chunked([String(body40.prefix(20))]))
        #expect(SiteHarness.statuses(c.take()) == [413])
        #expect(c.transport.disconnecting)
        #expect(LimitSetter.events == ["data:20"])
    }

    @Test func aStreamingHandlerLoweringTheLimitGets413WithoutReadingTheBody() {
        LimitSetter.reset(4)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        let out = h.take()
        #expect(SiteHarness.statuses(out) == [413])
        #expect(!out.contains("100 Continue"))
        #expect(out.contains("Connection: close"))
        #expect(h.transport.disconnecting)
        h.send("0123456789")
        #expect(LimitSetter.events.isEmpty)
        h.transport.finishLoss(.lost("closed"))
        #expect(LimitSetter.events == ["onConnectionClose"])
    }

    @Test func aStreamingHandlerLoweringTheLimitRefusesAChunkedBodyOnceItGrowsPastIt() {
        LimitSetter.reset(8)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        h.send("5\r\nabcde\r\n")
        #expect(h.take().isEmpty)
        h.send("5\r\nfghij\r\n0\r\n\r\n")
        #expect(SiteHarness.statuses(h.take()) == [413])
        #expect(LimitSetter.events == ["data:5"])
    }

    @Test func aRaisedLimitGets100ContinueForABodyOverTheDefault() {
        LimitSetter.reset(64)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 40\r\n\r\n")
        #expect(h.take() == "HTTP/1.1 100 Continue\r\n\r\n")
        h.send(body40)
        let out = h.take()
        #expect(SiteHarness.statuses(out) == [200])
        #expect(out.hasSuffix("received 40"))
    }

    @Test func streamingHandlersThatDoNotSetALimitKeepTheDefault() {
        LimitSetter.reset(nil)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n" + body40)
        #expect(SiteHarness.statuses(h.take()) == [413])
        #expect(h.transport.disconnecting)

        let c = harness()
        c.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n" + String(body40.prefix(16)))
        #expect(SiteHarness.statuses(c.take()) == [200])
    }

    @Test func nonStreamingHandlersKeepTheDefaultLimit() {
        let h = harness()
        h.send("POST /buffered HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n" + body40)
        #expect(SiteHarness.statuses(h.take()) == [413])

        let c = harness()
        c.send("POST /buffered HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n" + String(body40.prefix(16)))
        let out = c.take()
        #expect(SiteHarness.statuses(out) == [200])
        #expect(out.hasSuffix("received 16"))
    }

    @Test func aRaisedLimitAppliesOnlyToItsOwnRequest() {
        LimitSetter.reset(64)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n" + body40)
        #expect(SiteHarness.statuses(h.take()) == [200])
        h.send("POST /buffered HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n" + body40)
        #expect(SiteHarness.statuses(h.take()) == [413])
        #expect(h.transport.disconnecting)
    }

    @Test func anAsyncPrepareMaySetTheLimitAfterItsFirstAwait() throws {
        LimitSetter.reset(nil)
        LimitSetter.gate = Deferred<Void>()
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 40\r\n\r\n")
        #expect(h.take().isEmpty)
        try #require(LimitSetter.last).setMaxBodySize(64)
        try #require(LimitSetter.gate).callback(())
        #expect(h.take() == "HTTP/1.1 100 Continue\r\n\r\n")
        h.send(body40)
        #expect(h.take().hasSuffix("received 40"))

        LimitSetter.reset(nil)
        LimitSetter.gate = Deferred<Void>()
        let c = harness()
        c.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n0123456789")
        try #require(LimitSetter.last).setMaxBodySize(4)
        try #require(LimitSetter.gate).callback(())
        let out = c.take()
        #expect(SiteHarness.statuses(out) == [413])
        #expect(!out.contains("100 Continue"))
        #expect(LimitSetter.events.isEmpty)
    }

    @Test func aNegativeLimitRefusesAnyBody() {
        LimitSetter.reset(-5)
        let h = harness()
        h.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx")
        #expect(SiteHarness.statuses(h.take()) == [413])
        #expect(LimitSetter.events.isEmpty)
    }
}

/// The per-request limit over real sockets.
@Suite(.serialized) @ReactorActor struct TornadoBodyLimitSocketTests {
    /// Its own class (the other suite's tests may run while this one awaits): raises the limit to 1 MiB.
    final class Raiser: RequestHandler {
        override class var streamRequestBody: Bool { true }
        var received = 0
        override func prepare() throws -> HandlerResult { setMaxBodySize(1 << 20); return .done }
        override func dataReceived(_ chunk: ByteBuffer) throws -> HandlerResult {
            received += chunk.readableBytes
            return .done
        }
        override func post() throws -> HandlerResult { write("received \(received)"); return .done }
    }

    @Test(.timeLimit(.minutes(1))) func aStreamingHandlerRaisingTheLimitReceivesALargeUploadOverARealSocket() async throws {
        let app = Application([URLSpec("/up", Raiser.self), URLSpec("/buffered", BufferedLimitSetter.self)])
        var s = HTTPServerSettings()
        s.maxBodySize = 1024
        let port = try Reactor.shared.listenTCP(0, app.makeSite(settings: s), interface: "127.0.0.1")
        defer { _ = port.stopListening() }
        let b = Browser(port: port.host.port)
        var req = FetchRequest(b.base + "/up", method: "POST", headers: ["Content-Type": "application/octet-stream"],
                              body: ByteBuffer(bytes: [UInt8](repeating: 7, count: 256 * 1024)))
        req.requestTimeout = 30
        let r = try await resultOf(b.client.fetch(req, raiseError: false), timeout: 40)
        #expect(r.code == 200)
        #expect(r.text == "received \(256 * 1024)")

        var small = FetchRequest(b.base + "/buffered", method: "POST", headers: ["Content-Type": "application/octet-stream"],
                                body: ByteBuffer(bytes: [UInt8](repeating: 7, count: 2048)))
        small.requestTimeout = 30
        let r2 = try await resultOf(b.client.fetch(small, raiseError: false), timeout: 40)
        #expect(r2.code == 413)
    }
}
