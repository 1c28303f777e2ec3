import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

@Suite(.timeLimit(.minutes(1)),
       .enabled(if: TestDependency.required(TestDependency.redis),
                "needs redis-server on 127.0.0.1:6379 (TWISTER_REDIS); .ci/run starts one"))
@ReactorActor struct RedisRealTests {
    @Test(arguments: [false, true])
    func everyCommandAgainstRealRedis(resp3: Bool) async throws {
        let r = try await connectReal("TWISTER_REDIS", default: "127.0.0.1:6379", {
            RedisProtocol(options: RedisOptions(database: 9, resp3: resp3, clientName: "twister-test", timeout: 5))
        })
        defer { r.transport?.loseConnection() }
        try await redisScenario(r, ClientHarness(pump: nil), prefix: uniquePrefix("redis"))
    }

    @Test(arguments: [false, true])
    func pubSubAgainstRealRedis(resp3: Bool) async throws {
        let sub = try await connectReal("TWISTER_REDIS", default: "127.0.0.1:6379", { RedisProtocol(options: RedisOptions(resp3: resp3)) })
        let pub = try await connectReal("TWISTER_REDIS", default: "127.0.0.1:6379", { RedisProtocol() })
        defer { sub.transport?.loseConnection(); pub.transport?.loseConnection() }
        try await redisPubSubScenario(sub: sub, pub: pub, ClientHarness(pump: nil), prefix: uniquePrefix("ps"))
    }

    @Test func authFailureAndServerErrorTextFromRealRedis() async throws {
        let r = try await connectReal("TWISTER_REDIS", default: "127.0.0.1:6379", { RedisProtocol(options: RedisOptions(password: "definitely-wrong")) })
        do {
            try await ClientHarness(pump: nil).value(r.whenReady())
            Issue.record("AUTH with a wrong password should fail (unless the server has a password and it matches)")
        } catch let e as RedisError {
            #expect("\(e)".contains("AUTH failed on connect"))
        }
    }

    @Test func poolOverRealRedisReconnectsAfterKill() async throws {
        let (host, port) = serverAddress("TWISTER_REDIS", default: "127.0.0.1:6379")
        try await connectReal("TWISTER_REDIS", default: "127.0.0.1:6379", { RedisProtocol() }).transport?.loseConnection()
        // A name of this run's own: another test process may be using the same server at the same time.
        let name = "twister-pool-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let pool = RedisPool(host: host, port: port, size: 2, options: RedisOptions(clientName: name), connectTimeout: 2)
        pool.initialDelay = 0.05
        pool.start()
        defer { pool.stop() }
        let h = ClientHarness(pump: nil)
        #expect(try await h.value(pool.execute(["PING"])) == .simpleString("PONG"))
        // Kill our pool's connections from the server side; the pool reconnects.
        let admin = try await connectReal("TWISTER_REDIS", default: "127.0.0.1:6379", { RedisProtocol() })
        defer { admin.transport?.loseConnection() }
        let list = try await h.value(admin.execute(["CLIENT", "LIST"])).string ?? ""
        let ids = list.split(separator: "\n").filter { $0.contains("name=\(name) ") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("id=") }.map { RedisArgument(String($0.dropFirst(3))) }
        }
        #expect(ids.count == 2)
        for id in ids { _ = try await h.value(admin.execute(["CLIENT", "KILL", "ID", id])) }
        var ok = false
        for _ in 0..<50 {
            if let v = try? await h.value(pool.execute(["PING"])), v == .simpleString("PONG"), pool.reconnects > 0 { ok = true; break }
            let d = Deferred<Void>()
            Reactor.shared.callLater(0.05) { d.callback(()) }
            try await d.value
        }
        #expect(ok && pool.reconnects >= 1)
    }
}
