import Testing
@testable import TwisterProtocols
import TwisterTesting

/// Every typed helper and the generic paths, checked; run against the fake (RESP2 and RESP3) and the real server.
@ReactorActor
func redisScenario(_ r: RedisProtocol, _ h: ClientHarness, prefix: String) async throws {
    let k = { (s: String) in RedisArgument(prefix + s) }
    try await h.value(r.whenReady())
    #expect(try await h.value(r.ping()) == "PONG")
    #expect(try await h.value(r.execute(["ECHO", "x"])).string == "x")
    _ = try await h.value(r.del([k("s"), k("n"), k("h"), k("l"), k("set"), k("z"), k("m1"), k("m2"), k("tx")]))

    // strings
    #expect(try await h.value(r.set(k("s"), "hello")) == true)
    #expect(try await h.value(r.getString(k("s"))) == "hello")
    #expect(try await h.value(r.get(k("missing"))) == nil)
    #expect(try await h.value(r.set(k("s"), "other", condition: .ifNotExists)) == false)
    #expect(try await h.value(r.set(k("s2"), "v", condition: .ifExists)) == false)
    #expect(try await h.value(r.set(k("s"), "world", expire: .seconds(100), condition: .ifExists)) == true)
    let ttl = try await h.value(r.ttl(k("s")))
    #expect(ttl > 90 && ttl <= 100)
    #expect(try await h.value(r.set(k("s"), "px", expire: .milliseconds(50_000))) == true)
    #expect(try await h.value(r.ttl(k("s"))) > 40)
    #expect(try await h.value(r.persist(k("s"))) == true)
    #expect(try await h.value(r.ttl(k("s"))) == -1)
    #expect(try await h.value(r.expire(k("s"), seconds: 500)) == true)
    #expect(try await h.value(r.expire(k("missing"), seconds: 5)) == false)
    #expect(try await h.value(r.ttl(k("missing"))) == -2)
    let binary = ByteBuffer(bytes: [0, 13, 10, 255, 36, 42])
    #expect(try await h.value(r.set(k("bin"), RedisArgument(binary))) == true)
    #expect(try await h.value(r.get(k("bin"))) == binary)
    try await h.value(r.mset([(k("m1"), "one"), (k("m2"), "two")]))
    #expect(try await h.value(r.mget([k("m1"), k("missing"), k("m2")])) == ["one", nil, "two"])
    #expect(try await h.value(r.incr(k("n"))) == 1)
    #expect(try await h.value(r.incrBy(k("n"), 10)) == 11)
    #expect(try await h.value(r.decr(k("n"))) == 10)
    #expect(try await h.value(r.decrBy(k("n"), 20)) == -10)
    #expect(try await h.value(r.exists([k("n"), k("m1"), k("missing")])) == 2)

    // server errors carry the server's text
    do {
        _ = try await h.value(r.incr(k("s")))
        Issue.record("INCR on a non-integer should fail")
    } catch let e as RedisError {
        #expect(e.code == "ERR" && "\(e)".contains("not an integer"))
    }
    _ = try await h.value(r.lpush(k("l"), ["a"]))
    do {
        _ = try await h.value(r.get(k("l")))
        Issue.record("GET on a list should fail")
    } catch let e as RedisError {
        #expect(e.code == "WRONGTYPE")
        guard case .server(let text) = e else { Issue.record("\(e)"); return }
        #expect(text.hasPrefix("WRONGTYPE Operation against a key holding the wrong kind of value"))
    }
    _ = try await h.value(r.del([k("l")]))

    // hashes
    #expect(try await h.value(r.hset(k("h"), "f1", "v1")) == 1)
    #expect(try await h.value(r.hset(k("h"), [("f2", "v2"), ("f1", "v1b")])) == 1)
    #expect(try await h.value(r.hget(k("h"), "f1")) == "v1b")
    #expect(try await h.value(r.hget(k("h"), "nope")) == nil)
    #expect(try await h.value(r.hgetall(k("h"))) == ["f1": "v1b", "f2": "v2"])
    #expect(try await h.value(r.hdel(k("h"), ["f1", "nope"])) == 1)
    #expect(try await h.value(r.hgetall(k("h"))) == ["f2": "v2"])

    // lists
    #expect(try await h.value(r.rpush(k("l"), ["b", "c"])) == 2)
    #expect(try await h.value(r.lpush(k("l"), ["a", "z"])) == 4)
    #expect(try await h.value(r.lrange(k("l"), 0, -1)) == ["z", "a", "b", "c"])
    #expect(try await h.value(r.llen(k("l"))) == 4)
    #expect(try await h.value(r.lpop(k("l"))) == "z")
    #expect(try await h.value(r.rpop(k("l"))) == "c")
    #expect(try await h.value(r.lrange(k("l"), 0, 0)) == ["a"])
    #expect(try await h.value(r.lpop(k("nolist"))) == nil)

    // sets
    #expect(try await h.value(r.sadd(k("set"), ["a", "b", "a"])) == 2)
    #expect(try await h.value(r.smembers(k("set"))) == ["a", "b"])
    #expect(try await h.value(r.sismember(k("set"), "a")) == true)
    #expect(try await h.value(r.sismember(k("set"), "x")) == false)
    #expect(try await h.value(r.srem(k("set"), ["a", "x"])) == 1)
    #expect(try await h.value(r.smembers(k("set"))) == ["b"])

    // sorted sets
    #expect(try await h.value(r.zadd(k("z"), [(2, "two"), (1, "one"), (3.5, "three")])) == 3)
    #expect(try await h.value(r.zrange(k("z"), 0, -1)) == ["one", "two", "three"])
    let ws = try await h.value(r.zrangeWithScores(k("z"), 0, 1))
    #expect(ws.map(\.member) == ["one", "two"] && ws.map(\.score) == [1, 2])
    #expect(try await h.value(r.zscore(k("z"), "three")) == 3.5)
    #expect(try await h.value(r.zscore(k("z"), "none")) == nil)
    #expect(try await h.value(r.zrem(k("z"), ["one"])) == 1)
    #expect(try await h.value(r.zrange(k("z"), 0, -1)) == ["two", "three"])

    // SCAN, by steps and as an async sequence
    for i in 0..<25 { _ = r.set(k("scan:\(i)"), RedisArgument(i)) }
    var found: Set<String> = []
    var cursor = "0"
    repeat {
        let page = try await h.value(r.scan(cursor: cursor, match: prefix + "scan:*", count: 7))
        cursor = page.cursor
        for key in page.keys { found.insert(String(buffer: key)) }
    } while cursor != "0"
    #expect(found.count == 25)
    if h.pump == nil {
        var viaSequence: Set<String> = []
        for try await key in r.scanKeys(match: prefix + "scan:*", count: 5) { viaSequence.insert(String(buffer: key)) }
        #expect(viaSequence == found)
    }
    _ = try await h.value(r.del((0..<25).map { k("scan:\($0)") }))

    // pipelining: many commands written before any reply is read
    let sets = r.pipeline((0..<100).map { ["SET", k("p\($0)"), RedisArgument("v\($0)")] })
    var gets: [Deferred<String?>] = []
    for i in 0..<100 { gets.append(r.getString(k("p\(i)"))) }
    #expect(h.pump == nil || r.pendingCount == 200)
    for d in sets { #expect(try await h.value(d) == .simpleString("OK")) }
    for (i, d) in gets.enumerated() { #expect(try await h.value(d) == "v\(i)") }
    _ = try await h.value(r.del((0..<100).map { k("p\($0)") }))

    // MULTI/EXEC
    let results = try await h.value(r.transaction([["SET", k("tx"), "1"], ["INCR", k("tx")], ["LPUSH", k("tx"), "x"], ["GET", k("tx")]]))
    #expect(results.count == 4)
    #expect(results[0] == .simpleString("OK") && results[1] == .integer(2) && results[3] == .bulkString("2"))
    guard case .error(let wrongType) = results[2] else { Issue.record("expected a WRONGTYPE element"); return }
    #expect(wrongType.hasPrefix("WRONGTYPE"))
    do {
        _ = try await h.value(r.transaction([["SET", k("tx"), "1"], ["NOSUCHCOMMAND"]]))
        Issue.record("EXECABORT expected")
    } catch let e as RedisError {
        #expect(e.code == "EXECABORT")
    }
    _ = try await h.value(r.del([k("s"), k("n"), k("h"), k("l"), k("set"), k("z"), k("m1"), k("m2"), k("tx"), k("bin")]))
}

/// Pub/sub between a subscriber and a publisher connection.
@ReactorActor
func redisPubSubScenario(sub: RedisProtocol, pub: RedisProtocol, _ h: ClientHarness, prefix: String) async throws {
    var viaCallback: [RedisMessage] = []
    sub.onMessage = { viaCallback.append($0) }
    let stream = sub.messages()
    #expect(try await h.value(sub.subscribe([prefix + "news", prefix + "sport"])) == 2)
    #expect(try await h.value(sub.psubscribe([prefix + "wea*"])) == 3)
    #expect(sub.channels == [prefix + "news", prefix + "sport"] && sub.patterns == [prefix + "wea*"])
    #expect(try await h.value(pub.publish(prefix + "news", "hello")) == 1)
    #expect(try await h.value(pub.publish(prefix + "weather", "rain")) == 1)
    #expect(try await h.value(pub.publish(prefix + "nobody", "x")) == 0)
    #expect(try await h.value(pub.publish(prefix + "sport", RedisArgument(ByteBuffer(bytes: [0, 1, 2])))) == 1)
    var it = stream.makeAsyncIterator()
    var got: [RedisMessage] = []
    for _ in 0..<3 {
        h.pump?.flush()
        if let m = await it.next() { got.append(m) }
    }
    let expected = [RedisMessage(channel: prefix + "news", payload: "hello"),
                    RedisMessage(channel: prefix + "weather", pattern: prefix + "wea*", payload: "rain"),
                    RedisMessage(channel: prefix + "sport", payload: ByteBuffer(bytes: [0, 1, 2]))]
    #expect(got == expected)
    #expect(viaCallback == expected)
    #expect(try await h.value(sub.unsubscribe([prefix + "news"])) == 2)
    #expect(try await h.value(sub.unsubscribe()) == 1)
    #expect(try await h.value(sub.punsubscribe()) == 0)
    #expect(!sub.isSubscribed)
    #expect(try await h.value(pub.publish(prefix + "news", "unheard")) == 0)
    #expect(try await h.value(sub.ping()) == "PONG")
}

@Suite @ReactorActor struct RedisFakeTests {
    func connected(_ options: RedisOptions = RedisOptions(), store: FakeRedisStore = FakeRedisStore())
        -> (RedisProtocol, FakeRedisServer, LoopbackPump) {
        let r = RedisProtocol(options: options, clock: Clock())
        let server = FakeRedisServer(store: store)
        return (r, server, LoopbackPump.connect(client: r, server: server))
    }

    @Test(arguments: [false, true])
    func everyCommandAgainstTheFake(resp3: Bool) async throws {
        let (r, _, pump) = connected(RedisOptions(resp3: resp3))
        try await redisScenario(r, ClientHarness(pump: pump), prefix: "t:")
    }

    @Test(arguments: [false, true])
    func pubSubAgainstTheFake(resp3: Bool) async throws {
        let store = FakeRedisStore()
        let (sub, _, p1) = connected(RedisOptions(resp3: resp3), store: store)
        let (pub, _, p2) = connected(store: store)
        let h = ClientHarness(pump: p1)
        let hp = ClientHarness(pump: p2)
        var viaCallback: [RedisMessage] = []
        sub.onMessage = { viaCallback.append($0) }
        let stream = sub.messages()
        #expect(try await h.value(sub.subscribe(["news", "sport"])) == 2)
        #expect(try await h.value(sub.psubscribe(["wea*"])) == 3)
        #expect(try await hp.value(pub.publish("news", "hello")) == 1)
        #expect(try await hp.value(pub.publish("weather", "rain")) == 1)
        #expect(try await hp.value(pub.publish("nobody", "x")) == 0)
        p1.flush()
        var it = stream.makeAsyncIterator()
        #expect(await it.next() == RedisMessage(channel: "news", payload: "hello"))
        #expect(await it.next() == RedisMessage(channel: "weather", pattern: "wea*", payload: "rain"))
        #expect(viaCallback.count == 2)
        #expect(try await h.value(sub.unsubscribe(["news"])) == 2)
        #expect(try await h.value(sub.unsubscribe()) == 1)
        #expect(try await h.value(sub.punsubscribe()) == 0)
        #expect(try await h.value(sub.unsubscribe()) == 0)  // nothing left: one confirmation with a null channel
        #expect(try await h.value(sub.ping()) == "PONG")
        // Streams finish when the connection ends.
        sub.transport?.loseConnection()
        p1.flush()
        var it2 = stream.makeAsyncIterator()
        #expect(await it2.next() == nil)
    }

    @Test func wireFormatIsRESPArraysOfBulkStrings() {
        let t = StringTransport()
        let r = RedisProtocol(clock: Clock())
        t.connect(r)
        _ = r.execute(["SET", "k", RedisArgument(ByteBuffer(bytes: [0, 13, 10])), 42, RedisArgument(2.5)])
        _ = r.set("a", "b", expire: .milliseconds(100), condition: .ifNotExists)
        #expect(t.take() == "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\0\r\n\r\n$2\r\n42\r\n$3\r\n2.5\r\n"
            + "*6\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nPX\r\n$3\r\n100\r\n$2\r\nNX\r\n")
    }

    @Test func authSelectAndHelloOnConnect() async throws {
        let store = FakeRedisStore(password: "s3cret")
        let (r, server, pump) = connected(RedisOptions(password: "s3cret", database: 3, clientName: "me"), store: store)
        let h = ClientHarness(pump: pump)
        try await h.value(r.whenReady())
        #expect(server.commands == [["AUTH", "s3cret"], ["CLIENT", "SETNAME", "me"], ["SELECT", "3"]])
        #expect(try await h.value(r.set("k", "v")) == true)
        #expect(store.dbs[3]?["k"] != nil)

        let (r3, server3, pump3) = connected(RedisOptions(password: "s3cret", username: "bob", database: 1, resp3: true), store: store)
        try await ClientHarness(pump: pump3).value(r3.whenReady())
        #expect(server3.commands == [["HELLO", "3", "AUTH", "bob", "s3cret"], ["SELECT", "1"]])
        #expect(try await ClientHarness(pump: pump3).value(r3.hgetall("nothing")) == [:])

        // A wrong password fails the handshake, every queued call, and closes.
        let (bad, _, pumpBad) = connected(RedisOptions(password: "wrong"), store: store)
        let queued = bad.get("k")
        let ready = bad.whenReady()
        pumpBad.flush()
        guard case .server(let text)? = failure(of: ready) as? RedisError else { Issue.record("handshake should fail"); return }
        #expect(text.contains("WRONGPASS"))
        #expect(failure(of: queued) != nil)
        #expect(!bad.connected)

        // No password: commands are refused with the server's NOAUTH.
        let (anon, _, pumpAnon) = connected(store: store)
        await #expect(throws: RedisError.server("NOAUTH Authentication required.")) { try await ClientHarness(pump: pumpAnon).value(anon.get("k")) }
    }

    @Test func repliesSplitAtEveryByteBoundary() {
        let reply = bytes("+OK\r\n$5\r\nhello\r\n-WRONGTYPE bad\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n:7\r\n$-1\r\n")
        for chunks in everySplit(reply) {
            let t = StringTransport()
            let r = RedisProtocol(clock: Clock())
            t.connect(r)
            let a = r.set("k", "v"), b = r.getString("k"), c = r.get("x"), d = r.scan(cursor: "0"), e = r.incr("n"), f = r.get("m")
            for ch in chunks { t.receive(ch) }
            #expect(a.result.flatMap { try? $0.get() } == true)
            #expect(b.result.flatMap { try? $0.get() } == "hello")
            #expect(failure(of: c) as? RedisError == .server("WRONGTYPE bad"))
            #expect(d.result.flatMap { try? $0.get() }.map { $0.cursor == "0" && $0.keys == ["k"] } == true)
            #expect(e.result.flatMap { try? $0.get() } == 7)
            #expect(f.result.flatMap { try? $0.get() } == .some(nil))
            #expect(r.pendingCount == 0)
        }
    }

    @Test(arguments: ["?garbage\r\n", "$3\r\nabcdef\r\n", ":notanumber\r\n", "+OK\r\n+OK\r\n"])
    func garbageRepliesFailEveryPendingCallAndClose(_ garbage: String) {
        let (r, server, pump) = connected()
        server.replyOverride = { $0[0] == "GET" ? ByteBuffer(string: garbage) : nil }
        let a = r.get("k")
        let b = r.set("x", "1")
        pump.flush()
        for e in [failure(of: a), failure(of: b)] where garbage != "+OK\r\n+OK\r\n" || e != nil {
            guard case .protocolViolation? = e as? RedisError else {
                // "+OK" twice: GET gets "+OK" (wrong shape), then the extra reply is a violation for SET's turn or after.
                if garbage.hasPrefix("+OK") { continue }
                Issue.record("\(garbage): \(String(describing: e))"); continue
            }
        }
        #expect(!r.connected || garbage.hasPrefix("+OK"))
    }

    @Test func serverClosingMidReplyFailsPendingWithTheReason() {
        let (r, server, pump) = connected()
        server.replyOverride = { $0[0] == "GET" ? "$10\r\nabc" : nil }
        server.closeAfterReply = true
        let a = r.get("k"), b = r.ping()
        pump.flush()
        #expect(failure(of: a) as? ConnectionError == .done)
        #expect(failure(of: b) as? ConnectionError == .done)
        #expect(failure(of: r.ping()) as? ConnectionError == .done)
    }

    @Test func notConnectedAndTimeout() {
        let lonely = RedisProtocol(clock: Clock())
        #expect(failure(of: lonely.ping()) as? RedisError == .notConnected)
        let clock = Clock()
        let t = StringTransport()
        let r = RedisProtocol(options: RedisOptions(timeout: 5), clock: clock)
        t.connect(r)
        let a = r.get("k"), b = r.ping()
        clock.advance(4)
        t.receive("$1\r\n")  // progress resets
        clock.advance(4)
        #expect(a.result == nil)
        clock.advance(1.5)
        #expect(failure(of: a) as? RedisError == .timedOut(seconds: 5))
        #expect(failure(of: b) as? RedisError == .timedOut(seconds: 5))
        #expect(t.disconnecting)
    }

    @Test func transactionAbortedByWatchIsTyped() {
        let (r, server, pump) = connected()
        server.replyOverride = { $0[0] == "EXEC" ? "*-1\r\n" : nil }
        let d = r.transaction([["SET", "a", "1"]])
        pump.flush()
        #expect(failure(of: d) as? RedisError == .transactionAborted)
    }

    @Test func resp3PushesThatAreNotPubSubGoToOnPush() {
        let t = StringTransport()
        let r = RedisProtocol(clock: Clock())
        t.connect(r)
        var pushes: [[RedisValue]] = []
        r.onPush = { pushes.append($0) }
        let g = r.get("k")
        t.receive(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\nv\r\n")
        #expect(pushes == [[.bulkString("invalidate"), .array([.bulkString("k")])]])
        #expect(g.result.flatMap { try? $0.get() } == .some("v"))
    }
}
