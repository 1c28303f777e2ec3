import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// A handler with `streamRequestBody`, recording the order of its hooks (tornado.md §3 item 30).
@ReactorActor
final class StreamRecorder: RequestHandler {
    nonisolated(unsafe) static var events: [String] = []
    nonisolated(unsafe) static var prepareResult: (@ReactorActor (StreamRecorder) throws -> HandlerResult)?
    nonisolated(unsafe) static var chunkResult: (@ReactorActor (ByteBuffer) -> HandlerResult)?
    override class var streamRequestBody: Bool { true }
    override func initialize(_ arguments: [String: Any]) { Self.events.append("initialize") }
    override func prepare() throws -> HandlerResult {
        Self.events.append("prepare")
        return try Self.prepareResult?(self) ?? .done
    }
    override func dataReceived(_ chunk: ByteBuffer) throws -> HandlerResult {
        Self.events.append("data:" + String(buffer: chunk))
        return Self.chunkResult?(chunk) ?? .done
    }
    override func put() throws -> HandlerResult {
        Self.events.append("put(content=\(request.content.count))")
        write("got it")
        return .done
    }
    override func onConnectionClose() { Self.events.append("onConnectionClose") }
    override func onFinish() { Self.events.append("onFinish") }

    static func reset() { events = []; prepareResult = nil; chunkResult = nil }
}

/// Tornado's `@stream_request_body` (`StreamingRequestBodyTest`, `StreamingRequestFlowControlTest`).
@Suite(.serialized) @ReactorActor struct TornadoStreamingTests {
    let head = "PUT /stream HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n"

    /// §3 item 30: `prepare` runs before any body byte, then `data_received` once per piece as it arrives.
    @Test func streamRequestBodyRunsPrepareBeforeTheBodyThenDataReceivedPerChunk() throws {
        StreamRecorder.reset()
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send(head)
        #expect(StreamRecorder.events == ["initialize", "prepare"])
        h.harness.send("abcd")
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abcd"])
        h.harness.send("efghij")
        let r = try #require(h.take())
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abcd", "data:efghij", "put(content=0)", "onFinish"])
        #expect(r.code == 200)
        #expect(r.body == "got it")
    }

    /// §3 item 30: chunked bodies stream too, one call per decoded piece.
    @Test func aChunkedBodyStreamsItsDecodedPieces() throws {
        StreamRecorder.reset()
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send("PUT /stream HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n")
        h.harness.send("3\r\nabc\r\n")
        h.harness.send("2\r\nde\r\n0\r\n\r\n")
        let r = try #require(h.take())
        #expect(r.code == 200)
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abc", "data:de", "put(content=0)", "onFinish"])
    }

    /// §3 item 30: a 401 raised in `prepare` is answered without reading the body (and the connection closes,
    /// since the unread body cannot be told from the next request).
    /// Ports tornado.md §3 item 30.
    @Test func a401RaisedInPrepareIsAnsweredWithoutReadingTheBody() throws {
        StreamRecorder.reset()
        StreamRecorder.prepareResult = { _ in throw HTTPError(401) }
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send(head)
        let r = try #require(h.take())
        #expect(r.code == 401)
        #expect(r.body == "<html><title>401: Unauthorized</title><body>401: Unauthorized</body></html>")
        #expect(h.harness.transport.disconnecting)
        h.harness.send("abcdefghij")
        #expect(!StreamRecorder.events.contains { $0.hasPrefix("data:") || $0.hasPrefix("put") })
    }

    /// `Expect: 100-continue` is not answered with 100 when `prepare` refuses: the client never sends the body.
    @Test func aRefusingPrepareSendsNo100Continue() throws {
        StreamRecorder.reset()
        StreamRecorder.prepareResult = { _ in throw HTTPError(401) }
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send("PUT /stream HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        let out = String(buffer: h.harness.transport.takeBytes())
        #expect(!out.contains("100 Continue"))
        #expect(out.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
    }

    /// Tornado's timing: with an async `prepare`, `100 Continue` goes out only once `prepare` has completed.
    @Test func anAsyncPrepareSends100ContinueOnlyOnceItCompletes() throws {
        StreamRecorder.reset()
        let gate = Deferred<Void>()
        StreamRecorder.prepareResult = { _ in .deferred(gate) }
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send("PUT /stream HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        #expect(h.harness.transport.takeBytes().readableBytes == 0)
        gate.callback(())
        #expect(String(buffer: h.harness.transport.takeBytes()) == "HTTP/1.1 100 Continue\r\n\r\n")
        h.harness.send("abcdefghij")
        #expect(try #require(h.take()).code == 200)
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abcdefghij", "put(content=0)", "onFinish"])
    }

    /// An async `prepare` that refuses sends no `100 Continue` either.
    @Test func anAsyncPrepareThatRefusesSendsNo100Continue() throws {
        StreamRecorder.reset()
        let gate = Deferred<Void>()
        StreamRecorder.prepareResult = { _ in .deferred(gate) }
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send("PUT /stream HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        gate.errback(HTTPError(403))
        let out = String(buffer: h.harness.transport.takeBytes())
        #expect(!out.contains("100 Continue"))
        #expect(out.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(h.harness.transport.disconnecting)
    }

    /// §3 item 30: a client aborting the upload triggers `on_connection_close`; the verb never runs.
    @Test func aClientAbortingTheUploadTriggersOnConnectionClose() throws {
        StreamRecorder.reset()
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send(head)
        h.harness.send("abc")
        h.harness.transport.finishLoss(.lost("client went away"))
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abc", "onConnectionClose"])
        #expect(h.app.streamedBodies.isEmpty)
    }

    /// An async `prepare` holds the body back (reading paused, nothing decoded) until it completes; what arrived
    /// meanwhile is then delivered.
    @Test func aDeferredPrepareHoldsTheBodyUntilItFires() throws {
        StreamRecorder.reset()
        let gate = Deferred<Void>()
        StreamRecorder.prepareResult = { _ in .deferred(gate) }
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send(head + "abcd")
        h.harness.send("efghij")
        #expect(StreamRecorder.events == ["initialize", "prepare"])
        #expect(h.harness.transport.readingPaused)
        gate.callback(())
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abcdefghij", "put(content=0)", "onFinish"])
        #expect(!h.harness.transport.readingPaused)
        #expect(try #require(h.take()).code == 200)
    }

    /// Tornado's flow control: a Deferred from `dataReceived` pauses reading and holds later pieces until it fires.
    @Test func aDeferredFromDataReceivedPausesReadingUntilItFires() throws {
        StreamRecorder.reset()
        var gates: [Deferred<Void>] = []
        StreamRecorder.chunkResult = { _ in let d = Deferred<Void>(); gates.append(d); return .deferred(d) }
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send(head + "abcd")
        h.harness.send("efghij")
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abcd"])
        #expect(h.harness.transport.readingPaused)
        let first = gates[0]
        first.callback(())
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abcd", "data:efghij"])
        let second = gates[1]
        second.callback(())
        #expect(StreamRecorder.events.suffix(2) == ["put(content=0)", "onFinish"])
        #expect(!h.harness.transport.readingPaused)
        #expect(try #require(h.take()).code == 200)
    }

    /// An error thrown from `dataReceived` is answered like any handler error, and the rest is not read.
    @Test func anErrorFromDataReceivedIsAnswered() throws {
        StreamRecorder.reset()
        StreamRecorder.chunkResult = { _ in .deferred(Deferred<Void>.fail(HTTPError(413, reason: "Too Big"))) }
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        h.harness.send(head + "abcd")
        let r = try #require(h.take())
        #expect(r.code == 413)
        #expect(r.reason == "Too Big")
        #expect(!StreamRecorder.events.contains { $0.hasPrefix("put") })
    }

    /// XSRF is checked before `prepare` (from the query or header, since the body is not read yet).
    @Test func xsrfIsCheckedBeforeTheBodyIsStreamed() throws {
        StreamRecorder.reset()
        var s = ApplicationSettings()
        s.xsrfCookies = true
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)], settings: s)
        h.harness.send(head)
        #expect(try #require(h.take()).code == 403)
        #expect(StreamRecorder.events == ["initialize", "onFinish"])  // prepare never ran
    }

    /// Handlers without `streamRequestBody` keep getting the whole body before `prepare` (and are made once).
    @Test func nonStreamingHandlersStillGetTheBufferedBody() throws {
        final class Buffered: RequestHandler {
            nonisolated(unsafe) static var made = 0
            required init() { Self.made += 1; super.init() }
            override func put() throws -> HandlerResult { write("\(request.content.count)"); return .done }
        }
        let h = AppHarness([URLSpec("/b", Buffered.self)])
        h.harness.send("PUT /b HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\nabcdefghij")
        #expect(try #require(h.take()).body == "10")
        #expect(Buffered.made == 1)
    }

    /// A route made with a factory learns from its first handler that it streams; a factory of buffered
    /// handlers keeps buffering, and its handler's `initialize` runs once per request.
    @Test func factoryRoutesStreamWhenTheirHandlerDoes() throws {
        StreamRecorder.reset()
        var buffered = 0
        final class Buffered: RequestHandler {
            override func put() throws -> HandlerResult { write("\(request.content.count)"); return .done }
        }
        let h = AppHarness([
            URLSpec("/stream", factory: { StreamRecorder() }),
            URLSpec("/b", factory: { buffered += 1; return Buffered() }),
        ])
        #expect(h.app.mayStreamBodies)
        h.harness.send(head + "abcdefghij")
        #expect(try #require(h.take()).body == "got it")
        #expect(StreamRecorder.events == ["initialize", "prepare", "data:abcdefghij", "put(content=0)", "onFinish"])
        for _ in 0..<2 {
            h.harness.send("PUT /b HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc")
            #expect(try #require(h.take()).body == "3")
        }
        #expect(buffered == 3)   // one probe, then one per request
    }

    /// An application whose handler types all buffer never routes a body request before `render`.
    @Test func applicationsWithoutStreamingHandlersDoNotProbe() {
        let app = Application([route("/a"), URLSpec("/b", StreamRecorder.self)])
        #expect(app.mayStreamBodies)
        #expect(!Application([route("/a")]).mayStreamBodies)
    }

    /// A request without a body runs the usual lifecycle on a streaming handler (no `dataReceived`).
    @Test func aStreamingHandlerWithoutABodyRunsTheVerb() throws {
        StreamRecorder.reset()
        let h = AppHarness([URLSpec("/stream", StreamRecorder.self)])
        let r = try #require(h.fetch("/stream", method: "PUT"))
        #expect(r.code == 200)
        #expect(StreamRecorder.events == ["initialize", "prepare", "put(content=0)", "onFinish"])
    }
}

/// `streamRequestBody` over real sockets: a 4 MiB upload whose every piece is acknowledged a reactor turn later
/// (so reading pauses and resumes many times) arrives whole and in order.
@Suite(.serialized) @ReactorActor struct TornadoStreamingSocketTests {
    final class Counter: RequestHandler {
        override class var streamRequestBody: Bool { true }
        var received = 0
        var checksum: UInt64 = 0
        var pieces = 0
        override func dataReceived(_ chunk: ByteBuffer) throws -> HandlerResult {
            // Over raw bytes: a generic byte view costs seconds for 4 MiB in a debug build, on the shared reactor.
            checksum = chunk.withUnsafeReadableBytes { p in
                var c = checksum
                for b in p { c = c &* 31 &+ UInt64(b) }
                return c
            }
            received += chunk.readableBytes
            pieces += 1
            let d = Deferred<Void>()
            Reactor.shared.callLater(0) { d.callback(()) }
            return .deferred(d)
        }
        override func post() throws -> HandlerResult {
            write("\(received) \(checksum)")
            return .done
        }
    }

    @Test(.timeLimit(.minutes(1))) func aLargeUploadStreamsOverARealSocketWithBackpressure() async throws {
        let app = Application([URLSpec("/upload", Counter.self)])
        let port = try Reactor.shared.listenTCP(0, app.makeSite(), interface: "127.0.0.1")
        defer { _ = port.stopListening() }
        // Made in one pointer loop (byte-by-byte appends took seconds of the shared reactor in a debug build).
        var expected: UInt64 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: 4 << 20) { p, n in
            for i in 0..<(4 << 20) {
                let b = UInt8(truncatingIfNeeded: i &* 7 &+ i >> 9)
                p[i] = b
                expected = expected &* 31 &+ UInt64(b)
            }
            n = 4 << 20
        }
        let body = ByteBuffer(bytes: bytes)
        let b = Browser(port: port.host.port)
        var req = FetchRequest(b.base + "/upload", method: "POST", headers: ["Content-Type": "application/octet-stream"], body: body)
        req.requestTimeout = 30
        let r = try await resultOf(b.client.fetch(req, raiseError: false), timeout: 40)
        #expect(r.code == 200)
        #expect(r.text == "\(4 << 20) \(expected)")
        #expect(app.streamedBodies.isEmpty)
    }
}
