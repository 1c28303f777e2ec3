import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting

@Suite @ReactorActor struct ClientPoolTests {
    let clock = Clock()
    let key = ConnectionKey(scheme: "http", host: "example.com", port: 80)

    func makeAgent(_ c: MemoryConnector) -> Agent {
        Agent(connector: c, pool: HTTPConnectionPool(clock: clock))
    }

    @Test func keepAliveReusesTheConnection() throws {
        let c = MemoryConnector { _, n in (ok("r\(n)"), false) }
        let agent = makeAgent(c)
        for i in 1...3 {
            let d = agent.request("GET", "http://example.com/\(i)")
            c.flush()
            #expect(String(buffer: try readBody(try d.get()).get()) == "r\(i)")
        }
        #expect(agent.pool.connectionsOpened == 1)
        #expect(c.fakeServers[0].requests.count == 3)
    }

    @Test func connectionIsNotReusedBeforeTheBodyWasReadWhole() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", false) }
        let agent = makeAgent(c)
        let d1 = agent.request("GET", "http://example.com/1")
        c.flush()
        _ = try d1.get()
        _ = agent.request("GET", "http://example.com/2")
        c.flush()
        #expect(agent.pool.connectionsOpened == 2)
        #expect(agent.pool.idleCount(key) == 0)
        c.servers[0].transport!.write("defghij")
        c.flush()
        #expect(agent.pool.idleCount(key) == 1)
    }

    @Test func idleConnectionsAreLimitedPerHost() throws {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        agent.pool.maxPersistentPerHost = 2
        let ds = (0..<3).map { agent.request("GET", "http://example.com/\($0)") }
        c.flush()
        #expect(agent.pool.connectionsOpened == 3)  // the limit is on idle connections, not concurrency
        for s in c.servers { s.transport!.write(ok("x")) }
        c.flush()
        for d in ds { _ = try d.get() }
        #expect(agent.pool.idleCount(key) == 2)
        #expect(c.pumps[0].clientTransport.disconnecting)  // the oldest idle one was closed
        #expect(c.fakeServers[0].lost != nil)
    }

    @Test func idleConnectionTimesOut() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        agent.pool.cachedConnectionTimeout = 240
        _ = agent.request("GET", "http://example.com/")
        c.flush()
        #expect(agent.pool.idleCount(key) == 1)
        clock.advance(239)
        #expect(agent.pool.idleCount(key) == 1)
        clock.advance(1)
        c.flush()
        #expect(agent.pool.idleCount(key) == 0)
        #expect(c.fakeServers[0].lost != nil)
    }

    @Test func reusingAConnectionRestartsItsIdleTimeout() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        agent.pool.cachedConnectionTimeout = 240
        _ = agent.request("GET", "http://example.com/")
        c.flush()
        clock.advance(200)
        _ = agent.request("GET", "http://example.com/")  // reused at t=200: idle again from then
        c.flush()
        #expect(agent.pool.connectionsOpened == 1 && agent.pool.idleCount(key) == 1)
        clock.advance(40)     // t=240: the first idle spell's deadline
        #expect(agent.pool.idleCount(key) == 1 && c.fakeServers[0].lost == nil)
        clock.advance(199)    // t=439
        #expect(agent.pool.idleCount(key) == 1)
        clock.advance(1)      // t=440: 240 s after it went idle again
        c.flush()
        #expect(agent.pool.idleCount(key) == 0 && c.fakeServers[0].lost != nil)
    }

    @Test func serverClosingAnIdleConnectionRemovesItFromThePool() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        _ = agent.request("GET", "http://example.com/")
        c.flush()
        c.servers[0].transport!.loseConnection()
        c.flush()
        #expect(agent.pool.idleCount(key) == 0)
    }

    @Test func closeCachedConnectionsClosesIdleOnes() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        _ = agent.request("GET", "http://example.com/")
        c.flush()
        agent.pool.closeCachedConnections()
        c.flush()
        #expect(agent.pool.idleCount(key) == 0)
        #expect(c.fakeServers[0].lost != nil)
    }

    @Test func requestOnAReusedConnectionTheServerClosedIsRetriedOnce() throws {
        // Connection 1 answers its first request, then drops the second without a word.
        let c = MemoryConnector { _ in FakeHTTPServer { _, n in n == 1 ? (ok("first"), false) : (nil, true) } }
        let agent = makeAgent(c)
        _ = agent.request("GET", "http://example.com/")
        c.flush()
        let d = agent.request("GET", "http://example.com/again")
        c.flush()
        #expect(String(buffer: try readBody(try d.get()).get()) == "first")  // answered by connection 2
        #expect(agent.pool.connectionsOpened == 2)
    }

    @Test func nonIdempotentRequestIsNotRetried() throws {
        let c = MemoryConnector { _ in FakeHTTPServer { _, n in n == 1 ? (ok("first"), false) : (nil, true) } }
        let agent = makeAgent(c)
        _ = agent.request("GET", "http://example.com/")
        c.flush()
        let d = agent.request("POST", "http://example.com/")
        c.flush()
        #expect(d.error() is ResponseNeverReceived)
        #expect(agent.pool.connectionsOpened == 1)
    }

    @Test func requestOnANewConnectionIsNotRetried() throws {
        let c = MemoryConnector { _, _ in (nil, true) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        #expect(d.error() is ResponseNeverReceived)
        #expect(agent.pool.connectionsOpened == 1)
    }

    @Test(arguments: [
        ("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", false),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", true),
        ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", false),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", true),
    ])
    func persistenceFollowsVersionAndConnectionHeader(reply: String, reused: Bool) throws {
        let c = MemoryConnector { _, _ in (reply, false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        _ = try d.get()
        #expect(agent.pool.idleCount(key) == (reused ? 1 : 0))
    }

    @Test func unexpectedBytesOnAnIdleConnectionDropIt() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        _ = agent.request("GET", "http://example.com/")
        c.flush()
        c.servers[0].transport!.write("HTTP/1.1 200 OK\r\n")
        c.flush()
        #expect(c.pumps[0].clientTransport.aborted)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        _ = try d.get()
        #expect(agent.pool.connectionsOpened == 2)
    }
}

@Suite @ReactorActor struct ClientTimeoutAndCancelTests {
    let clock = Clock()

    func makeAgent(_ c: MemoryConnector) -> Agent {
        Agent(connector: c, pool: HTTPConnectionPool(clock: clock))
    }

    @Test func connectTimeoutFailsAndGivesUpTheAttempt() {
        let c = MemoryConnector { _, _ in (nil, false) }
        c.hold = true
        let agent = makeAgent(c)
        agent.connectTimeout = 5
        let d = agent.request("GET", "http://example.com/")
        clock.advance(4.9)
        #expect(!d.called)
        clock.advance(0.1)
        #expect(d.error() as? ClientTimeoutError == ClientTimeoutError(.connect, seconds: 5))
        #expect(c.heldCancelled == 1)
    }

    @Test func refusedConnectionFailsTheRequest() {
        let c = MemoryConnector { _, _ in (nil, false) }
        c.refuse = true
        #expect(makeAgent(c).request("GET", "http://example.com/").error() as? ConnectionError == .refused)
    }

    @Test func firstByteTimeoutAbortsTheConnection() {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        agent.firstByteTimeout = 10
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        clock.advance(10)
        let e = d.error() as? ResponseNeverReceived
        #expect(e?.reason(ClientTimeoutError.self) == ClientTimeoutError(.firstByte, seconds: 10))
        #expect(c.pumps[0].clientTransport.aborted)
    }

    @Test func bodyTimeoutFiresOnlyWhenTheBodyStalls() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n", false) }
        let agent = makeAgent(c)
        agent.bodyTimeout = 3
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        let p = RecordingBodyProtocol()
        try d.get().deliverBody(p)
        for _ in 0..<5 {
            clock.advance(2)
            c.servers[0].transport!.write("1\r\nb\r\n")
            c.flush()
        }
        #expect(p.reason == nil)
        // Paused by the reader: no timeout.
        p.transport?.pauseProducing()
        clock.advance(100)
        #expect(p.reason == nil)
        p.transport?.resumeProducing()
        clock.advance(3)
        let e = p.reason?.error as? ResponseFailed
        #expect(e?.reason(ClientTimeoutError.self) == ClientTimeoutError(.bodyChunk, seconds: 3))
        #expect(c.pumps[0].clientTransport.aborted)
        #expect(p.body == "abbbbb")
    }

    @Test func cancellingWhileConnectingStopsTheAttempt() {
        let c = MemoryConnector { _, _ in (nil, false) }
        c.hold = true
        let d = makeAgent(c).request("GET", "http://example.com/")
        d.cancel()
        #expect(d.error() is CancelledError)
        #expect(c.heldCancelled == 1)
    }

    @Test func cancellingWhileWaitingForTheResponseAbortsTheConnection() {
        let c = MemoryConnector { _, _ in (nil, false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        d.cancel()
        #expect(d.error() is CancelledError)
        #expect(c.pumps[0].clientTransport.aborted)
        c.flush()
        #expect(agent.pool.idleCount(ConnectionKey(scheme: "http", host: "example.com", port: 80)) == 0)
    }

    @Test func cancellingReadBodyAbortsTheConnection() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", false) }
        let d = makeAgent(c).request("GET", "http://example.com/")
        c.flush()
        let b = readBody(try d.get())
        b.cancel()
        #expect(b.error() is CancelledError)
        #expect(c.pumps[0].clientTransport.aborted)
    }

    @Test func deferredAddTimeoutOnTheRequestCancelsIt() {
        let c = MemoryConnector { _, _ in (nil, false) }
        let d = makeAgent(c).request("GET", "http://example.com/").addTimeout(7, clock: clock)
        c.flush()
        clock.advance(7)
        #expect(d.error() is TimeoutError)
        #expect(c.pumps[0].clientTransport.aborted)
    }
}
