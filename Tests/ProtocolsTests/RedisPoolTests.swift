import Testing
@testable import TwisterProtocols
import TwisterTesting

/// A connector that connects the factory's protocol to a fake Redis server over a loopback pump, or fails.
@ReactorActor
final class FakeRedisConnector: Connector {
    let factory: ClientFactory
    let store: FakeRedisStore
    var failures: () -> Bool
    private(set) var pump: LoopbackPump?
    private(set) var connectCalls = 0
    var destination: Address { .ipv4(host: "127.0.0.1", port: 6379) }

    init(factory: ClientFactory, store: FakeRedisStore, failures: @escaping () -> Bool) {
        self.factory = factory
        self.store = store
        self.failures = failures
        connect()
    }

    func connect() {
        connectCalls += 1
        factory.startedConnecting(self)
        if failures() { factory.clientConnectionFailed(self, reason: Failure(ConnectionError.refused)); return }
        guard let p = factory.buildProtocol(destination) else { return }
        let pump = LoopbackPump.connect(client: p, server: FakeRedisServer(store: store))
        pump.flush()
        self.pump = pump
    }
    func stopConnecting() {}
    func disconnect() { lose() }

    /// The server closes the connection: the protocol and then the factory hear of it.
    func lose() {
        guard let pump else { return }
        self.pump = nil
        pump.serverTransport.loseConnection()
        pump.flush()
        factory.clientConnectionLost(self, reason: Failure(ConnectionError.done))
    }
}

@Suite @ReactorActor struct RedisPoolTests {
    @Test func poolReconnectsThroughReconnectingClientFactoriesWithBackoffAndStops() {
        let clock = Clock()
        let store = FakeRedisStore()
        var connectors: [FakeRedisConnector] = []
        var failNext = 0
        let pool = RedisPool(size: 2, clock: clock) { f in
            let c = FakeRedisConnector(factory: f, store: store) {
                if failNext > 0 { failNext -= 1; return true }
                return false
            }
            connectors.append(c)
            return c
        }
        pool.jitter = 0
        let early = pool.acquire()  // waits for a connection
        pool.start()
        #expect(pool.connections.count == 2 && early.called)
        #expect(pool.factories.allSatisfy { $0.current != nil && $0.continueTrying })
        _ = early.addBoth { _ in () }
        let d = pool.execute(["SET", "k", "v"])
        for c in connectors { c.pump?.flush() }
        #expect(d.result.flatMap { try? $0.get() } == .simpleString("OK"))

        // Lose one connection: the pool drops it and its factory retries on Twisted's schedule (initialDelay × e,
        // then × e again after each failure).
        failNext = 2
        connectors[0].lose()
        #expect(pool.connections.count == 1)
        clock.advance(0.27)    // not yet: the first retry is at 0.1 × e = 0.272
        #expect(connectors[0].connectCalls == 1)
        clock.advance(0.01)    // attempt 1 fails
        #expect(connectors[0].connectCalls == 2 && pool.connections.count == 1)
        clock.advance(0.74)    // attempt 2 (0.1 × e² = 0.739 later) fails
        #expect(connectors[0].connectCalls == 3 && pool.connections.count == 1)
        clock.advance(2.0)     // not yet (0.1 × e³ = 2.009)
        #expect(pool.connections.count == 1)
        clock.advance(0.01)
        #expect(pool.connections.count == 2 && pool.reconnects == 3)
        #expect(pool.factories[0].retries == 0 && pool.factories[0].delay == 0.1)  // reset once connected

        let g = pool.execute(["GET", "k"])
        for c in connectors { c.pump?.flush() }
        #expect(g.result.flatMap { try? $0.get() }?.string == "v")

        pool.stop()
        #expect(pool.connections.isEmpty)
        #expect(pool.factories.allSatisfy { !$0.continueTrying })
        clock.advance(100)
        #expect(connectors.map(\.connectCalls) == [4, 1])  // no retry after stop
        #expect(failure(of: pool.acquire()) as? RedisError == .notConnected)
    }

    @Test func stopCancelsAPendingRetryAndFailsWaiters() {
        let clock = Clock()
        var connectors: [FakeRedisConnector] = []
        let pool = RedisPool(size: 1, clock: clock) { f in
            let c = FakeRedisConnector(factory: f, store: FakeRedisStore()) { true }  // every attempt is refused
            connectors.append(c)
            return c
        }
        pool.start()
        let waiter = pool.acquire()
        #expect(!waiter.called && pool.factories[0].pendingRetry != nil)
        pool.stop()
        #expect(failure(of: waiter) as? RedisError == .notConnected)
        #expect(pool.factories[0].pendingRetry == nil)
        clock.advance(1000)
        #expect(connectors[0].connectCalls == 1)
    }

    @Test func thePoolHasTheTypedCommandsOfOneConnection() {
        let store = FakeRedisStore()
        var connectors: [FakeRedisConnector] = []
        let pool = RedisPool(size: 2, clock: Clock()) { f in
            let c = FakeRedisConnector(factory: f, store: store) { false }
            connectors.append(c)
            return c
        }
        pool.start()
        func flush() { for c in connectors { c.pump?.flush() } }
        let set = pool.set("k", "v")
        let nx = pool.set("k", "w", condition: .ifNotExists)
        let incr = pool.incr("n")
        let incrBy = pool.incrBy("n", 4)
        let hset = pool.hset("h", "f", "x")
        flush()
        let get = pool.get("k")
        let getString = pool.getString("k")
        let hget = pool.hget("h", "f")
        let missing = pool.get("absent")
        flush()
        // Calls on different pooled connections may run in any order: the DEL goes after the reads.
        let del = pool.del(["k", "absent"])
        flush()
        #expect(set.result.flatMap { try? $0.get() } == true)
        #expect(nx.result.flatMap { try? $0.get() } == false)
        #expect(incr.result.flatMap { try? $0.get() } == 1)
        #expect(incrBy.result.flatMap { try? $0.get() } == 5)
        #expect(hset.result.flatMap { try? $0.get() } == 1)
        #expect(get.result.flatMap { try? $0.get() } == ByteBuffer(string: "v"))
        #expect(getString.result.flatMap { try? $0.get() } == "v")
        #expect(hget.result.flatMap { try? $0.get() } == ByteBuffer(string: "x"))
        if case .success(let v)? = missing.result { #expect(v == nil) } else { Issue.record("GET of a missing key did not fire with nil") }
        #expect(del.result.flatMap { try? $0.get() } == 1)
        // The same definitions serve a generic RedisClient: one connection or the pool.
        func viaClient(_ c: any RedisClient) -> Deferred<Int64> { c.incr("n") }
        let generic = viaClient(pool)
        flush()
        #expect(generic.result.flatMap { try? $0.get() } == 6)
        pool.stop()
        #expect(failure(of: pool.incr("n")) as? RedisError == .notConnected)
    }
}
