import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting

@Suite @ReactorActor struct ClientFetchTests {
    let clock = Clock()

    @Test func fetchCollectsTheBody() throws {
        let c = MemoryConnector { _, _ in (ok("hello"), false) }
        let client = HTTPClient(connector: c, clock: clock)
        let d = client.fetch("http://example.com/")
        c.flush()
        let r = try d.get()
        #expect(r.code == 200)
        #expect(r.text == "hello")
        #expect(r.effectiveURL == "http://example.com/")
    }

    @Test func nonSuccessRaisesHTTPClientErrorWithTheResponse() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope", false) }
        let client = HTTPClient(connector: c, clock: clock)
        let d = client.fetch("http://example.com/missing")
        c.flush()
        let e = d.error() as? HTTPClientError
        #expect(e?.code == 404)
        #expect(e?.response?.text == "nope")
        let d2 = client.fetch("http://example.com/missing", raiseError: false)
        c.flush()
        let r = try d2.get()
        #expect(r.code == 404)
        #expect(r.error?.code == 404)
        #expect(throws: HTTPClientError.self) { try r.rethrow() }
    }

    @Test func networkErrorsAreCode599() {
        let c = MemoryConnector { _, _ in (nil, false) }
        c.refuse = true
        let e = HTTPClient(connector: c, clock: clock).fetch("http://example.com/", raiseError: false).error() as? HTTPClientError
        #expect(e?.code == 599)
        #expect(e?.underlying as? ConnectionError == .refused)
    }

    @Test func requestTimeoutAbortsAndFailsWith599() {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nslow", false) }
        var req = FetchRequest("http://example.com/")
        req.requestTimeout = 2
        let d = HTTPClient(connector: c, clock: clock).fetch(req)
        c.flush()
        clock.advance(2)
        let e = d.error() as? HTTPClientError
        #expect(e?.code == 599)
        #expect(e?.message.hasPrefix("Timeout") == true)
        #expect(c.pumps[0].clientTransport.aborted)
    }

    @Test func connectTimeoutIs599TimeoutWhileConnecting() {
        let c = MemoryConnector { _, _ in (nil, false) }
        c.hold = true
        var req = FetchRequest("http://example.com/")
        req.connectTimeout = 1
        let d = HTTPClient(connector: c, clock: clock).fetch(req)
        clock.advance(1)
        #expect((d.error() as? HTTPClientError)?.message == "Timeout while connecting")
    }

    @Test func streamingAndHeaderCallbacksSeeEverything() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", false) }
        var chunks: [String] = []
        var lines: [String] = []
        var req = FetchRequest("http://example.com/")
        req.streamingCallback = { chunks.append(String(buffer: $0)) }
        req.headerCallback = { lines.append($0) }
        let d = HTTPClient(connector: c, clock: clock).fetch(req)
        c.flush()
        let r = try d.get()
        #expect(r.body.isEmpty)
        #expect(chunks.joined() == "abcde")
        #expect(lines == ["HTTP/1.1 200 OK\r\n", "Transfer-Encoding: chunked\r\n", "X-A: 1\r\n", "\r\n"])
    }

    @Test func redirectsAreFollowedUpToMaxRedirects() throws {
        let c = MemoryConnector { req, _ in
            let path = req.split(separator: " ")[1]
            if let n = Int(path.dropFirst()), n < 10 { return ("HTTP/1.1 302 Found\r\nLocation: /\(n + 1)\r\nContent-Length: 0\r\n\r\n", false) }
            return (ok("end"), false)
        }
        let client = HTTPClient(connector: c, clock: clock)
        let d = client.fetch("http://example.com/8")
        c.flush()
        #expect(try d.get().effectiveURL == "http://example.com/10")
        var req = FetchRequest("http://example.com/1")
        req.maxRedirects = 2
        let d2 = client.fetch(req, raiseError: false)
        c.flush()
        let r = try d2.get()
        #expect(r.code == 302)
        #expect(r.effectiveURL == "http://example.com/3")
        req.followRedirects = false
        let d3 = client.fetch(req, raiseError: false)
        c.flush()
        #expect(try d3.get().effectiveURL == "http://example.com/1")
    }

    @Test func gzipIsDecompressedByDefault() throws {
        let c = MemoryConnector { _ in BytesServer { _ in rawReply("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n", compress("zipped!", windowBits: 31)) } }
        let d = HTTPClient(connector: c, clock: clock).fetch("http://example.com/")
        c.flush()
        #expect(try d.get().text == "zipped!")
    }

    @Test func postSendsTheBody() throws {
        let c = MemoryConnector { req, _ in (ok(String(req.split(separator: "\r\n\r\n", maxSplits: 1).last ?? "")), false) }
        let d = HTTPClient(connector: c, clock: clock).fetch("http://example.com/", method: "POST", body: "a=1")
        c.flush()
        #expect(try d.get().text == "a=1")
    }

    @Test func asyncFetchReturnsTheResponse() async throws {
        let c = MemoryConnector { _, _ in (ok("async"), false) }
        let client = HTTPClient(connector: c, clock: clock)
        let d = client.fetch("http://example.com/") as Deferred<FetchResponse>
        c.flush()
        let r = try await d.value
        #expect(r.text == "async")
        // The async overload, answered at once because the pump runs before we await.
        let c2 = MemoryConnector { _, _ in (ok("direct"), false) }
        let client2 = HTTPClient(connector: c2, clock: clock)
        let t = Task { @ReactorActor in try await client2.fetch("http://example.com/").value }
        while c2.pumps.isEmpty { await Task.yield() }
        c2.flush()
        #expect(try await t.value.text == "direct")
    }

    @Test func reactorConnectorReportsFailureAndCancellation() {
        final class FakeConnector: Connector {
            var stopped = false
            let destination: Address = .ipv4(host: "127.0.0.1", port: 1)
            func connect() {}
            func stopConnecting() { stopped = true }
            func disconnect() {}
        }
        var factories: [ClientFactory] = []
        let fake = FakeConnector()
        let rc = ReactorAgentConnector(connectTCP: { _, _, f, _ in factories.append(f); return fake },
                                       connectUNIX: { _, f, _ in factories.append(f); return fake })
        let d = rc.connect(ConnectionKey(scheme: "http", host: "h", port: 1), HTTP11ClientProtocol(), timeout: 1)
        factories[0].clientConnectionFailed(fake, reason: Failure(ConnectionError.refused))
        #expect(d.error() as? ConnectionError == .refused)
        let d2 = rc.connect(ConnectionKey(scheme: "http+unix", host: "/tmp/x.sock", port: 0), HTTP11ClientProtocol(), timeout: 1)
        d2.cancel()
        #expect(d2.error() is CancelledError)
        #expect(fake.stopped)
        // Success: the protocol's connectionMade fires the Deferred.
        let p = HTTP11ClientProtocol()
        let d3 = rc.connect(ConnectionKey(scheme: "http", host: "h", port: 1), p, timeout: 1)
        let built = factories[2].buildProtocol(.ipv4(host: "127.0.0.1", port: 1))
        #expect(built === p)
        StringTransport().connect(p)
        #expect(d3.called)
    }
}

@Suite @ReactorActor struct ClientFetchStreamingTimeoutTests {
    @Test func streamingRequestTimeoutIsReportedAsATimeout() {
        let clock = Clock()
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n", false) }
        var req = FetchRequest("http://example.com/")
        req.requestTimeout = 5
        req.streamingCallback = { _ in }
        let d = HTTPClient(connector: c, clock: clock).fetch(req)
        c.flush()
        clock.advance(5)
        #expect((d.error() as? HTTPClientError)?.message.hasPrefix("Timeout during request") == true)
        #expect(c.pumps[0].clientTransport.aborted)
    }
}
