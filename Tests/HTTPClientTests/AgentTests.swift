import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting

@Suite @ReactorActor struct AgentTests {
    let clock = Clock()

    func makeAgent(_ connector: MemoryConnector, persistent: Bool = true) -> Agent {
        Agent(connector: connector, pool: HTTPConnectionPool(clock: clock, persistent: persistent))
    }

    @Test func getSendsOriginFormRequestAndReadsBody() throws {
        let c = MemoryConnector { _, _ in (ok("hello"), false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/a/b?x=1#frag", headers: ["X-Test": "1"])
        c.flush()
        let r = try d.get()
        #expect(r.code == 200)
        #expect(r.phrase == "OK")
        #expect(r.length == 5)
        #expect(r.version == (1, 1))
        let body = readBody(r)
        #expect(String(buffer: try body.get()) == "hello")
        #expect(c.fakeServers[0].requests == ["GET /a/b?x=1 HTTP/1.1\r\nX-Test: 1\r\nHost: example.com\r\n\r\n"])
        #expect(c.keys == [ConnectionKey(scheme: "http", host: "example.com", port: 80)])
    }

    @Test func agentWithoutPersistentPoolSendsConnectionClose() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = Agent(connector: c, clock: clock)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        _ = try d.get()
        #expect(c.fakeServers[0].requests[0].contains("Connection: close\r\n"))
    }

    @Test func hostHeaderHasNonDefaultPortAndBracketedIPv6() throws {
        let c = MemoryConnector { _, _ in (ok(""), false) }
        let agent = makeAgent(c)
        _ = agent.request("GET", "http://[::1]:8080/")
        _ = agent.request("GET", "http://Example.com:80/")
        c.flush()
        #expect(c.fakeServers[0].requests[0].contains("Host: [::1]:8080\r\n"))
        #expect(c.fakeServers[1].requests[0].contains("Host: Example.com\r\n"))
        #expect(c.keys[0] == ConnectionKey(scheme: "http", host: "::1", port: 8080))
    }

    @Test(arguments: ["ftp://x/", "http://", "http://host:99999/", "not a url", "https://example.com/"])
    func badURLsFailWithoutConnecting(url: String) {
        let c = MemoryConnector { _, _ in (ok(""), false) }
        let d = makeAgent(c).request("GET", url)
        #expect(d.error() is ClientRequestError)
        #expect(c.keys.isEmpty)
    }

    @Test func headerInjectionIsRefused() {
        let c = MemoryConnector { _, _ in (ok(""), false) }
        let agent = makeAgent(c)
        #expect(agent.request("GET", "http://x/", headers: ["X": "a\r\nEvil: 1"]).error() is ClientRequestError)
        #expect(agent.request("GE T", "http://x/").error() is ClientRequestError)
        #expect(c.keys.isEmpty)
    }

    @Test func chunkedBodyIsDeliveredIncrementallyToTheProtocol() throws {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/stream")
        c.flush()
        let server = c.servers[0]
        server.transport!.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n")
        c.flush()
        let r = try d.get()
        #expect(r.length == nil)
        let p = RecordingBodyProtocol()
        r.deliverBody(p)
        #expect(p.chunks == ["one"])
        #expect(p.reason == nil)
        server.transport!.write("3\r\ntwo\r\n")
        c.flush()
        #expect(p.chunks == ["one", "two"])
        server.transport!.write("0\r\n\r\n")
        c.flush()
        #expect(p.reason?.check(ResponseDone.self) == true)
        #expect(agent.pool.idleCount(c.keys[0]) == 1)
    }

    @Test func bodyIsBufferedUntilDeliverBodyAndTheConnectionPaused() throws {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        c.servers[0].transport!.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc")
        c.flush()
        let r = try d.get()
        #expect(c.pumps[0].clientTransport.readingPaused)
        c.servers[0].transport!.write("def")
        c.flush()
        let p = RecordingBodyProtocol()
        r.deliverBody(p)
        #expect(p.body == "abcdef")
        #expect(p.reason?.check(ResponseDone.self) == true)
        #expect(!c.pumps[0].clientTransport.readingPaused)
    }

    @Test func secondDeliverBodyIsRefused() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let d = makeAgent(c).request("GET", "http://example.com/")
        c.flush()
        let r = try d.get()
        r.deliverBody(RecordingBodyProtocol())
        let second = RecordingBodyProtocol()
        r.deliverBody(second)
        #expect((second.reason?.error as? ResponseFailed)?.reason(BodyAlreadyDelivered.self) != nil)
    }

    @Test func bodyWithoutLengthEndsWithPotentialDataLoss() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.0 200 OK\r\n\r\nuntil close", true) }
        let d = makeAgent(c).request("GET", "http://example.com/")
        c.flush()
        let r = try d.get()
        let p = RecordingBodyProtocol()
        r.deliverBody(p)
        #expect(p.body == "until close")
        #expect(p.reason?.check(PotentialDataLoss.self) == true)
        // readBody turns it into PartialDownloadError carrying the body.
        let c2 = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\n\r\npartial", true) }
        let d2 = makeAgent(c2).request("GET", "http://example.com/")
        c2.flush()
        let b = readBody(try d2.get())
        c2.flush()
        let e = b.error() as? PartialDownloadError
        #expect(e.map { String(buffer: $0.body) } == "partial")
    }

    @Test func cutContentLengthBodyFailsNamingTheShortfall() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true) }
        let d = makeAgent(c).request("GET", "http://example.com/")
        c.flush()
        let b = readBody(try d.get())
        c.flush()
        let e = b.error() as? ResponseFailed
        #expect(e?.reason(HTTPResponseParseError.self) == .truncatedBody(expected: 10, received: 3))
    }

    @Test func headRequestReadsNoBody() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false) }
        let agent = makeAgent(c)
        let d = agent.request("HEAD", "http://example.com/")
        c.flush()
        let r = try d.get()
        #expect(String(buffer: try readBody(r).get()) == "")
        #expect(agent.pool.idleCount(c.keys[0]) == 1)
    }

    @Test func knownLengthBodyIsSentWithContentLength() throws {
        let c = MemoryConnector { _, _ in (ok("done"), false) }
        let d = makeAgent(c).request("POST", "http://example.com/f", headers: [:], bodyProducer: BytesBodyProducer("a=1&b=2"))
        c.flush()
        _ = try d.get()
        #expect(c.fakeServers[0].requests[0].hasSuffix("Content-Length: 7\r\n\r\na=1&b=2"))
    }

    @Test func unknownLengthBodyIsSentChunked() throws {
        let c = MemoryConnector { _, _ in (ok("done"), false) }
        let producer = BytesBodyProducer(ByteBuffer(string: "hello world"), chunkSize: 5, chunked: true)
        let d = makeAgent(c).request("PUT", "http://example.com/f", headers: [:], bodyProducer: producer)
        c.flush()
        _ = try d.get()
        #expect(c.fakeServers[0].requests[0].hasSuffix("Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\n worl\r\n1\r\nd\r\n0\r\n\r\n"))
    }

    @Test func postWithoutBodySendsZeroContentLength() throws {
        let c = MemoryConnector { _, _ in (ok(""), false) }
        _ = makeAgent(c).request("POST", "http://example.com/")
        c.flush()
        #expect(c.fakeServers[0].requests[0].hasSuffix("Content-Length: 0\r\n\r\n"))
    }

    @Test func producerWritingTheWrongLengthFailsTheRequest() {
        final class Liar: BodyProducer {
            let length: Int? = 10
            func startProducing(_ consumer: any Consumer) -> Deferred<Void> { consumer.write("short"); return Deferred.succeed(()) }
            func resumeProducing() {}
            func stopProducing() {}
        }
        let c = MemoryConnector { _, _ in (nil, false) }
        let d = makeAgent(c).request("POST", "http://example.com/", headers: [:], bodyProducer: Liar())
        let e = d.error() as? RequestTransmissionFailed
        #expect(e?.reasons.first as? WrongBodyLength == WrongBodyLength(announced: 10, written: 5))
        #expect(c.pumps[0].clientTransport.aborted)
    }

    @Test func expectContinueWaitsForTheGoAhead() throws {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        agent.expectContinue = true
        let d = agent.request("POST", "http://example.com/", headers: [:], bodyProducer: BytesBodyProducer("payload"))
        c.flush()
        let server = c.fakeServers[0]
        #expect(server.received.hasSuffix("Expect: 100-continue\r\n\r\n"))
        server.transport!.write("HTTP/1.1 100 Continue\r\n\r\n")
        c.flush()
        #expect(server.requests.last?.hasSuffix("\r\n\r\npayload") == true)
        server.transport!.write(ok("thanks"))
        c.flush()
        #expect(try d.get().code == 200)
    }

    @Test func finalAnswerBeforeContinueSkipsTheBodyAndClosesTheConnection() throws {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        agent.expectContinue = true
        let d = agent.request("POST", "http://example.com/", headers: [:], bodyProducer: BytesBodyProducer("payload"))
        c.flush()
        c.servers[0].transport!.write("HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n")
        c.flush()
        #expect(try d.get().code == 413)
        #expect(!(c.fakeServers[0].received.contains("payload")))
        #expect(agent.pool.idleCount(c.keys[0]) == 0)
        #expect(c.pumps[0].clientTransport.disconnecting)
    }

    @Test func expectContinueSendsTheBodyAfterATimeout() throws {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        agent.expectContinue = true
        _ = agent.request("POST", "http://example.com/", headers: [:], bodyProducer: BytesBodyProducer("payload"))
        c.flush()
        #expect(!c.fakeServers[0].received.contains("payload"))
        clock.advance(1)
        c.flush()
        #expect(c.fakeServers[0].requests.last?.hasSuffix("payload") == true)
    }

    @Test func pausingTheBodyPausesTheConnection() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", false) }
        let d = makeAgent(c).request("GET", "http://example.com/")
        c.flush()
        let r = try d.get()
        let p = RecordingBodyProtocol()
        r.deliverBody(p)
        #expect(!c.pumps[0].clientTransport.readingPaused)
        p.transport?.pauseProducing()
        #expect(c.pumps[0].clientTransport.readingPaused)
        p.transport?.resumeProducing()
        #expect(!c.pumps[0].clientTransport.readingPaused)
        p.transport?.stopProducing()
        #expect(c.pumps[0].clientTransport.aborted)
        #expect(p.reason?.check(ResponseFailed.self) == true)
    }
}
