/// An in-memory Redis for tests (connect it to a ``RedisProtocol`` with ``LoopbackPump``).
///
/// Contract: speaks RESP2, and RESP3 after `HELLO 3`. Implements the commands the client's typed helpers send
/// (strings, keys with recorded-but-never-firing expiry, hashes, lists, sets, sorted sets, SCAN, MULTI/EXEC,
/// pub/sub across connections sharing a ``FakeRedisStore``, AUTH against ``FakeRedisStore/password``, SELECT,
/// HELLO, CLIENT SETNAME); anything else gets `-ERR unknown command`. Error paths a real server will not
/// produce on demand are scripted: ``replyOverride`` answers a command with raw bytes of your choosing,
/// ``closeAfterReply`` closes after the next reply, ``silent`` never answers.
@ReactorActor
public final class FakeRedisServer: Protocol {
    public let store: FakeRedisStore
    /// When set and returning bytes for a command (its arguments as strings), those bytes are sent instead.
    public var replyOverride: (([String]) -> ByteBuffer?)?
    public var closeAfterReply = false
    public var silent = false
    /// Every command received, as strings.
    public private(set) var commands: [[String]] = []

    private var parser = RedisParser()
    private var resp3 = false
    private var authed = false
    private var db = 0
    private var queued: [[ByteBuffer]]?
    private var queueError = false
    var channels: Set<String> = []
    var patterns: Set<String> = []

    public init(store: FakeRedisStore = FakeRedisStore()) {
        self.store = store
        super.init()
    }

    public override func connectionMade() { store.connections.append(self) }
    public override func connectionLost(_ reason: Failure) { store.connections.removeAll { $0 === self } }

    public override func dataReceived(_ data: ByteBuffer) {
        parser.append(data)
        while true {
            guard let v = try? parser.next() else { return }
            guard let parts = v.array?.compactMap(\.bytes), !parts.isEmpty else {
                send(ByteBuffer(string: "-ERR Protocol error\r\n"))
                continue
            }
            let strings = parts.map { String(buffer: $0) }
            commands.append(strings)
            if silent { continue }
            if let o = replyOverride?(strings) { send(o); continue }
            var out = ByteBuffer()
            handle(parts, strings, &out)
            if !out.isEmpty { send(out) }
        }
    }

    private func send(_ b: ByteBuffer) {
        transport?.write(b)
        if closeAfterReply { transport?.loseConnection() }
    }

    // MARK: encoding

    func bulk(_ b: ByteBuffer?, _ out: inout ByteBuffer) {
        guard let b else { out.writeString(resp3 ? "_\r\n" : "$-1\r\n"); return }
        out.writeString("$\(b.readableBytes)\r\n"); out.writeImmutableBuffer(b); out.writeString("\r\n")
    }
    private func bulk(_ s: String, _ out: inout ByteBuffer) { bulk(ByteBuffer(string: s), &out) }
    private func int(_ i: Int, _ out: inout ByteBuffer) { out.writeString(":\(i)\r\n") }
    private func ok(_ out: inout ByteBuffer) { out.writeString("+OK\r\n") }
    private func err(_ s: String, _ out: inout ByteBuffer) { out.writeString("-\(s)\r\n") }
    private func arrayHeader(_ n: Int, _ out: inout ByteBuffer, push: Bool = false) {
        out.writeString("\(push && resp3 ? ">" : "*")\(n)\r\n")
    }
    private func null(_ out: inout ByteBuffer) { out.writeString(resp3 ? "_\r\n" : "$-1\r\n") }
    private func double(_ d: Double, _ out: inout ByteBuffer) {
        let s = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        if resp3 { out.writeString(",\(s)\r\n") } else { bulk(s, &out) }
    }

    func pushMessage(_ items: [String], payload: ByteBuffer) {
        var out = ByteBuffer()
        arrayHeader(items.count + 1, &out, push: true)
        for i in items { bulk(i, &out) }
        bulk(payload, &out)
        transport?.write(out)
    }

    // MARK: commands

    private func handle(_ p: [ByteBuffer], _ s: [String], _ out: inout ByteBuffer) {
        let cmd = s[0].uppercased()
        let wrongArgs = "ERR wrong number of arguments for '\(s[0].lowercased())' command"
        if store.password != nil && !authed && !["AUTH", "HELLO", "PING", "QUIT"].contains(cmd) {
            return err("NOAUTH Authentication required.", &out)
        }
        if var q = queued, !["EXEC", "DISCARD", "MULTI", "WATCH"].contains(cmd) {
            if known.contains(cmd) { q.append(p); queued = q; out.writeString("+QUEUED\r\n") } else {
                queueError = true
                err("ERR unknown command '\(s[0])'", &out)
            }
            return
        }
        var data: [String: FakeRedisStore.Entry] {
            get { store.dbs[db, default: [:]] }
            set { store.dbs[db] = newValue }
        }
        func wrongType() { err("WRONGTYPE Operation against a key holding the wrong kind of value", &out) }
        switch cmd {
        case "PING": if s.count > 1 { bulk(p[1], &out) } else if isSubscribedRESP2 { arrayHeader(2, &out); bulk("pong", &out); bulk("", &out) } else { out.writeString("+PONG\r\n") }
        case "AUTH":
            let pass = s.last ?? ""
            if store.password == nil { err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?", &out) } else if pass == store.password { authed = true; ok(&out) } else { err("WRONGPASS invalid username-password pair or user is disabled.", &out) }
        case "HELLO":
            if s.count > 1 && s[1] != "2" && s[1] != "3" { return err("NOPROTO unsupported protocol version", &out) }
            if let i = s.firstIndex(where: { $0.uppercased() == "AUTH" }), i + 2 < s.count {
                if s[i + 2] == store.password { authed = true } else { return err("WRONGPASS invalid username-password pair or user is disabled.", &out) }
            } else if store.password != nil && !authed { return err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time", &out) }
            if s.count > 1 { resp3 = s[1] == "3" }
            out.writeString(resp3 ? "%2\r\n" : "*4\r\n"); bulk("server", &out); bulk("redis", &out); bulk("proto", &out); int(resp3 ? 3 : 2, &out)
        case "CLIENT": ok(&out)
        case "ECHO": guard s.count == 2 else { return err(wrongArgs, &out) }; bulk(p[1], &out)
        case "SELECT":
            guard s.count == 2, let n = Int(s[1]), n >= 0, n < 16 else { return err("ERR DB index is out of range", &out) }
            db = n; ok(&out)
        case "FLUSHDB": data = [:]; ok(&out)
        case "GET":
            guard s.count == 2 else { return err(wrongArgs, &out) }
            switch data[s[1]] { case nil: null(&out); case .string(let b)?: bulk(b, &out); default: wrongType() }
        case "SET":
            guard s.count >= 3 else { return err(wrongArgs, &out) }
            let opts = s.dropFirst(3).map { $0.uppercased() }
            let exists = data[s[1]] != nil
            if opts.contains("NX") && exists || opts.contains("XX") && !exists { return null(&out) }
            data[s[1]] = .string(p[2])
            store.ttl[s[1]] = nil
            if let i = opts.firstIndex(of: "EX"), i + 1 < opts.count { store.ttl[s[1]] = Int(opts[i + 1]) }
            if let i = opts.firstIndex(of: "PX"), i + 1 < opts.count { store.ttl[s[1]] = (Int(opts[i + 1]) ?? 0) / 1000 }
            ok(&out)
        case "MGET":
            arrayHeader(s.count - 1, &out)
            for k in s.dropFirst() { if case .string(let b)? = data[k] { bulk(b, &out) } else { null(&out) } }
        case "MSET":
            guard s.count >= 3, s.count % 2 == 1 else { return err(wrongArgs, &out) }
            for i in stride(from: 1, to: s.count, by: 2) { data[s[i]] = .string(p[i + 1]) }
            ok(&out)
        case "INCR", "DECR", "INCRBY", "DECRBY":
            let by = cmd.hasSuffix("BY") ? (s.count == 3 ? Int(s[2]) : nil) : 1
            guard let by else { return err("ERR value is not an integer or out of range", &out) }
            var cur = 0
            if let e = data[s[1]] {
                guard case .string(let b) = e else { return wrongType() }
                guard let n = Int(String(buffer: b)) else { return err("ERR value is not an integer or out of range", &out) }
                cur = n
            }
            cur += cmd.hasPrefix("INCR") ? by : -by
            data[s[1]] = .string(ByteBuffer(string: String(cur)))
            int(cur, &out)
        case "DEL", "EXISTS":
            var n = 0
            for k in s.dropFirst() where data[k] != nil { n += 1; if cmd == "DEL" { data[k] = nil; store.ttl[k] = nil } }
            int(n, &out)
        case "EXPIRE":
            guard data[s[1]] != nil, let t = Int(s[2]) else { return int(0, &out) }
            store.ttl[s[1]] = t; int(1, &out)
        case "TTL": int(data[s[1]] == nil ? -2 : store.ttl[s[1]] ?? -1, &out)
        case "PERSIST": int(store.ttl.removeValue(forKey: s[1]) != nil && data[s[1]] != nil ? 1 : 0, &out)
        case "SCAN":
            let keys = data.keys.sorted()
            var match: String?
            if let i = s.firstIndex(where: { $0.uppercased() == "MATCH" }), i + 1 < s.count { match = s[i + 1] }
            var count = 10
            if let i = s.firstIndex(where: { $0.uppercased() == "COUNT" }), i + 1 < s.count { count = Int(s[i + 1]) ?? 10 }
            let start = Int(s[1]) ?? 0
            let end = min(keys.count, start + count)
            let page = keys[min(start, keys.count)..<end].filter { k in match.map { FakeRedisStore.glob($0, k) } ?? true }
            arrayHeader(2, &out); bulk(end >= keys.count ? "0" : String(end), &out)
            arrayHeader(page.count, &out); for k in page { bulk(k, &out) }
        case "HSET":
            guard s.count >= 4, s.count % 2 == 0 else { return err(wrongArgs, &out) }
            var h: [String: ByteBuffer] = [:]
            if let e = data[s[1]] { guard case .hash(let x) = e else { return wrongType() }; h = x }
            var added = 0
            for i in stride(from: 2, to: s.count, by: 2) { if h.updateValue(p[i + 1], forKey: s[i]) == nil { added += 1 } }
            data[s[1]] = .hash(h); int(added, &out)
        case "HGET":
            switch data[s[1]] { case nil: null(&out); case .hash(let h)?: bulk(h[s[2]], &out); default: wrongType() }
        case "HGETALL":
            guard let e = data[s[1]] else { out.writeString(resp3 ? "%0\r\n" : "*0\r\n"); return }
            guard case .hash(let h) = e else { return wrongType() }
            out.writeString(resp3 ? "%\(h.count)\r\n" : "*\(h.count * 2)\r\n")
            for (k, v) in h.sorted(by: { $0.key < $1.key }) { bulk(k, &out); bulk(v, &out) }
        case "HDEL":
            guard case .hash(var h)? = data[s[1]] else { return int(0, &out) }
            var n = 0
            for f in s.dropFirst(2) where h.removeValue(forKey: f) != nil { n += 1 }
            data[s[1]] = h.isEmpty ? nil : .hash(h); int(n, &out)
        case "LPUSH", "RPUSH":
            var l: [ByteBuffer] = []
            if let e = data[s[1]] { guard case .list(let x) = e else { return wrongType() }; l = x }
            for v in p.dropFirst(2) { if cmd == "LPUSH" { l.insert(v, at: 0) } else { l.append(v) } }
            data[s[1]] = .list(l); int(l.count, &out)
        case "LPOP", "RPOP":
            guard case .list(var l)? = data[s[1]], !l.isEmpty else { return null(&out) }
            let v = cmd == "LPOP" ? l.removeFirst() : l.removeLast()
            data[s[1]] = l.isEmpty ? nil : .list(l); bulk(v, &out)
        case "LRANGE":
            guard case .list(let l)? = data[s[1]] else { return arrayHeader(0, &out) }
            let r = FakeRedisStore.range(l.count, Int(s[2]) ?? 0, Int(s[3]) ?? 0)
            arrayHeader(r.count, &out); for i in r { bulk(l[i], &out) }
        case "LLEN": if case .list(let l)? = data[s[1]] { int(l.count, &out) } else { int(0, &out) }
        case "SADD", "SREM":
            var set: Set<ByteBuffer> = []
            if let e = data[s[1]] { guard case .set(let x) = e else { return wrongType() }; set = x }
            var n = 0
            for v in p.dropFirst(2) { if cmd == "SADD" ? set.insert(v).inserted : set.remove(v) != nil { n += 1 } }
            data[s[1]] = set.isEmpty ? nil : .set(set); int(n, &out)
        case "SMEMBERS":
            let set: Set<ByteBuffer>
            if case .set(let x)? = data[s[1]] { set = x } else { set = [] }
            out.writeString(resp3 ? "~\(set.count)\r\n" : "*\(set.count)\r\n"); for v in set { bulk(v, &out) }
        case "SISMEMBER": if case .set(let x)? = data[s[1]], x.contains(p[2]) { int(1, &out) } else { int(0, &out) }
        case "ZADD":
            var z: [ByteBuffer: Double] = [:]
            if let e = data[s[1]] { guard case .zset(let x) = e else { return wrongType() }; z = x }
            var n = 0
            for i in stride(from: 2, to: s.count - 1, by: 2) {
                guard let sc = Double(s[i]) else { return err("ERR value is not a valid float", &out) }
                if z.updateValue(sc, forKey: p[i + 1]) == nil { n += 1 }
            }
            data[s[1]] = .zset(z); int(n, &out)
        case "ZRANGE":
            guard case .zset(let z)? = data[s[1]] else { return arrayHeader(0, &out) }
            let sorted = z.sorted { $0.value < $1.value || ($0.value == $1.value && String(buffer: $0.key) < String(buffer: $1.key)) }
            let r = FakeRedisStore.range(sorted.count, Int(s[2]) ?? 0, Int(s[3]) ?? 0)
            let scores = s.count > 4 && s[4].uppercased() == "WITHSCORES"
            if scores && resp3 {
                arrayHeader(r.count, &out); for i in r { arrayHeader(2, &out); bulk(sorted[i].key, &out); double(sorted[i].value, &out) }
            } else {
                arrayHeader(r.count * (scores ? 2 : 1), &out)
                for i in r { bulk(sorted[i].key, &out); if scores { double(sorted[i].value, &out) } }
            }
        case "ZSCORE":
            if case .zset(let z)? = data[s[1]], let sc = z[p[2]] { double(sc, &out) } else { null(&out) }
        case "ZREM":
            guard case .zset(var z)? = data[s[1]] else { return int(0, &out) }
            var n = 0
            for v in p.dropFirst(2) where z.removeValue(forKey: v) != nil { n += 1 }
            data[s[1]] = z.isEmpty ? nil : .zset(z); int(n, &out)
        case "MULTI": queued = []; queueError = false; ok(&out)
        case "DISCARD": queued = nil; ok(&out)
        case "WATCH": ok(&out)
        case "EXEC":
            guard let q = queued else { return err("ERR EXEC without MULTI", &out) }
            queued = nil
            if queueError { return err("EXECABORT Transaction discarded because of previous errors.", &out) }
            arrayHeader(q.count, &out)
            for c in q { handle(c, c.map { String(buffer: $0) }, &out) }
        case "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE":
            let isPattern = cmd.hasPrefix("P")
            let kind = cmd.lowercased()
            var names = Array(s.dropFirst())
            if cmd.contains("UN") && names.isEmpty { names = Array(isPattern ? patterns : channels).sorted() }
            if names.isEmpty {
                arrayHeader(3, &out, push: true); bulk(kind, &out); null(&out); int(channels.count + patterns.count, &out)
            }
            for n in names {
                if cmd.contains("UN") {
                    if isPattern { patterns.remove(n) } else { channels.remove(n) }
                } else {
                    if isPattern { patterns.insert(n) } else { channels.insert(n) }
                }
                arrayHeader(3, &out, push: true); bulk(kind, &out); bulk(n, &out); int(channels.count + patterns.count, &out)
            }
        case "PUBLISH":
            guard s.count == 3 else { return err(wrongArgs, &out) }
            int(store.publish(s[1], p[2]), &out)
        default:
            err("ERR unknown command '\(s[0])', with args beginning with: ", &out)
        }
    }

    private var isSubscribedRESP2: Bool { !resp3 && !(channels.isEmpty && patterns.isEmpty) }

    private let known: Set<String> = ["PING", "SET", "GET", "MGET", "MSET", "INCR", "DECR", "INCRBY", "DECRBY", "DEL",
        "EXISTS", "EXPIRE", "TTL", "PERSIST", "HSET", "HGET", "HGETALL", "HDEL", "LPUSH", "RPUSH", "LPOP", "RPOP",
        "LRANGE", "LLEN", "SADD", "SREM", "SMEMBERS", "SISMEMBER", "ZADD", "ZRANGE", "ZSCORE", "ZREM", "PUBLISH", "ECHO"]
}

/// The data of ``FakeRedisServer`` connections: databases, recorded TTLs, subscribers, the password.
@ReactorActor
public final class FakeRedisStore {
    public enum Entry {
        case string(ByteBuffer)
        case hash([String: ByteBuffer])
        case list([ByteBuffer])
        case set(Set<ByteBuffer>)
        case zset([ByteBuffer: Double])
    }
    public var dbs: [Int: [String: Entry]] = [:]
    public var ttl: [String: Int] = [:]
    /// When set, commands need AUTH (or HELLO … AUTH) first.
    public var password: String?
    var connections: [FakeRedisServer] = []

    public init(password: String? = nil) { self.password = password }

    func publish(_ channel: String, _ payload: ByteBuffer) -> Int {
        var n = 0
        for c in connections {
            if c.channels.contains(channel) { c.pushMessage(["message", channel], payload: payload); n += 1 }
            for p in c.patterns where Self.glob(p, channel) { c.pushMessage(["pmessage", p, channel], payload: payload); n += 1 }
        }
        return n
    }

    static func range(_ count: Int, _ start: Int, _ stop: Int) -> Range<Int> {
        var a = start < 0 ? count + start : start
        var b = stop < 0 ? count + stop : stop
        a = max(0, a)
        b = min(count - 1, b)
        return a <= b ? a..<(b + 1) : 0..<0
    }

    /// Redis-style glob with `*` and `?`.
    static func glob(_ pattern: String, _ s: String) -> Bool {
        let p = Array(pattern), t = Array(s)
        func m(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == t.count }
            if p[i] == "*" { return m(i + 1, j) || (j < t.count && m(i, j + 1)) }
            if j < t.count && (p[i] == "?" || p[i] == t[j]) { return m(i + 1, j + 1) }
            return false
        }
        return m(0, 0)
    }
}
