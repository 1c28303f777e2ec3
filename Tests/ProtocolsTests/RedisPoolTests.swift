import Testing
@testable import TwisterProtocols
import TwisterTesting

@Suite @ReactorActor struct RedisPoolTests {
    @Test func poolSpreadsReconnectsWithBackoffAndStops() async throws {
        let clock = Clock()
        let store = FakeRedisStore()
        var pumps: [LoopbackPump] = []
        var failNext = 0
        let pool = RedisPool(size: 2, clock: clock) {
            if failNext > 0 { failNext -= 1; return fail(ConnectionError.refused) }
            let p = RedisProtocol(clock: clock)
            pumps.append(LoopbackPump.connect(client: p, server: FakeRedisServer(store: store)))
            return succeed(p)
        }
        let early = pool.acquire()  // waits for a connection
        pool.start()
        #expect(pool.connections.count == 2 && early.called)
        _ = early.addBoth { _ in () }
        let d = pool.execute(["SET", "k", "v"])
        for p in pumps { p.flush() }
        #expect(d.result.flatMap { try? $0.get() } == .simpleString("OK"))

        // Lose one connection: the pool drops it and reconnects after the delay; failures back off.
        failNext = 2
        pumps[0].serverTransport.loseConnection()
        pumps[0].flush()
        #expect(pool.connections.count == 1)
        clock.advance(0.1)     // attempt 1 fails
        #expect(pool.connections.count == 1)
        clock.advance(0.28)    // attempt 2 fails (0.1 * e)
        #expect(pool.connections.count == 1)
        clock.advance(0.5)     // not yet (0.1 * e^2 = 0.74 after attempt 2)
        #expect(pool.connections.count == 1)
        clock.advance(0.3)
        #expect(pool.connections.count == 2 && pool.reconnects == 3)

        pool.stop()
        #expect(pool.connections.isEmpty)
        #expect(failure(of: pool.acquire()) as? RedisError == .notConnected)
    }
}
