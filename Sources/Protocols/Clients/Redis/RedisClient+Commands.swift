/// The typed commands, defined once for every ``RedisClient`` (one ``RedisProtocol`` connection or a
/// ``RedisPool``). Each sends one command through the client's primitives and maps the reply; a reply of the wrong
/// shape fails with ``RedisError/unexpectedReply(_:)``. All on the reactor thread.
extension RedisClient {
    private func map<T>(_ args: [RedisArgument], _ f: @escaping (RedisValue) throws -> T) -> Deferred<T> {
        execute(args).addCallback { v in try f(v) }
    }
    private func integerCommand(_ args: [RedisArgument]) -> Deferred<Int64> { executeInteger(args) }
    private func optionalBytesCommand(_ args: [RedisArgument]) -> Deferred<ByteBuffer?> { executeOptionalBytes(args) }
    private static func int(_ v: RedisValue) throws -> Int64 {
        guard case .integer(let i) = v else { throw RedisError.unexpectedReply("expected an integer, got \(v)") }
        return i
    }
    private static func optBytes(_ v: RedisValue) throws -> ByteBuffer? {
        if v.isNull { return nil }
        guard let b = v.bytes else { throw RedisError.unexpectedReply("expected a string, got \(v)") }
        return b
    }
    private static func list(_ v: RedisValue) throws -> [RedisValue] {
        guard let a = v.array else { throw RedisError.unexpectedReply("expected an array, got \(v)") }
        return a
    }
    private static func bytesList(_ v: RedisValue) throws -> [ByteBuffer] {
        try list(v).map { e in
            guard let b = e.bytes else { throw RedisError.unexpectedReply("expected strings, got \(e)") }
            return b
        }
    }
    private static func ok(_ v: RedisValue) throws {
        guard case .simpleString = v else { throw RedisError.unexpectedReply("expected OK, got \(v)") }
    }

    // MARK: connection

    /// PING; fires with the server's answer ("PONG").
    public func ping() -> Deferred<String> { map(["PING"]) { $0.string ?? "" } }
    /// Selects a database on this connection.
    public func select(_ db: Int) -> Deferred<Void> { map(["SELECT", RedisArgument(db)], Self.ok) }
    /// Deletes every key of the current database.
    public func flushdb() -> Deferred<Void> { map(["FLUSHDB"], Self.ok) }
    /// Publishes a message; fires with the number of subscribers that received it.
    public func publish(_ channel: String, _ message: RedisArgument) -> Deferred<Int64> {
        integerCommand(["PUBLISH", RedisArgument(channel), message])
    }

    // MARK: strings

    /// GET decoded as UTF-8.
    public func getString(_ key: RedisArgument) -> Deferred<String?> {
        map(["GET", key]) { try Self.optBytes($0).map { String(buffer: $0) } }
    }
    /// SET without expiry or condition; fires true (OK).
    public func set(_ key: RedisArgument, _ value: RedisArgument) -> Deferred<Bool> {
        set(key, value, expire: nil, condition: .always)
    }
    /// SET with an expiry; fires true (OK).
    public func set(_ key: RedisArgument, _ value: RedisArgument, expire: RedisExpiry) -> Deferred<Bool> {
        set(key, value, expire: expire, condition: .always)
    }
    /// SET NX or XX; fires false when the condition prevented the write.
    public func set(_ key: RedisArgument, _ value: RedisArgument, condition: RedisSetCondition) -> Deferred<Bool> {
        set(key, value, expire: nil, condition: condition)
    }
    /// MGET: one entry per key, nil where the key does not exist.
    public func mget(_ keys: [RedisArgument]) -> Deferred<[ByteBuffer?]> {
        map(["MGET"] + keys) { try Self.list($0).map(Self.optBytes) }
    }
    /// MSET of every pair.
    public func mset(_ pairs: [(RedisArgument, RedisArgument)]) -> Deferred<Void> {
        map(["MSET"] + pairs.flatMap { [$0.0, $0.1] }, Self.ok)
    }
    public func incr(_ key: RedisArgument) -> Deferred<Int64> { integerCommand(["INCR", key]) }
    public func incrBy(_ key: RedisArgument, _ n: Int64) -> Deferred<Int64> { integerCommand(["INCRBY", key, RedisArgument(n)]) }
    public func decr(_ key: RedisArgument) -> Deferred<Int64> { integerCommand(["DECR", key]) }
    public func decrBy(_ key: RedisArgument, _ n: Int64) -> Deferred<Int64> { integerCommand(["DECRBY", key, RedisArgument(n)]) }

    // MARK: keys

    /// DEL; fires with the number of keys removed.
    public func del(_ keys: [RedisArgument]) -> Deferred<Int64> { integerCommand(["DEL"] + keys) }
    /// EXISTS; fires with how many of the keys exist.
    public func exists(_ keys: [RedisArgument]) -> Deferred<Int64> { integerCommand(["EXISTS"] + keys) }
    /// EXPIRE; fires false when the key does not exist.
    public func expire(_ key: RedisArgument, seconds: Int) -> Deferred<Bool> {
        map(["EXPIRE", key, RedisArgument(seconds)]) { try Self.int($0) == 1 }
    }
    /// TTL in seconds; -1 when the key has no expiry, -2 when it does not exist.
    public func ttl(_ key: RedisArgument) -> Deferred<Int64> { integerCommand(["TTL", key]) }
    /// PERSIST; fires false when the key has no expiry or does not exist.
    public func persist(_ key: RedisArgument) -> Deferred<Bool> { map(["PERSIST", key]) { try Self.int($0) == 1 } }

    /// One SCAN step: the next cursor ("0" when done) and a batch of keys.
    public func scan(cursor: String, match: String? = nil, count: Int? = nil) -> Deferred<(cursor: String, keys: [ByteBuffer])> {
        var args: [RedisArgument] = ["SCAN", RedisArgument(cursor)]
        if let match { args += ["MATCH", RedisArgument(match)] }
        if let count { args += ["COUNT", RedisArgument(count)] }
        return map(args) { v in
            let a = try Self.list(v)
            guard a.count == 2, let c = a[0].string else { throw RedisError.unexpectedReply("SCAN returned \(v)") }
            return (c, try Self.bytesList(a[1]))
        }
    }

    // MARK: hashes

    public func hget(_ key: RedisArgument, _ field: RedisArgument) -> Deferred<ByteBuffer?> { optionalBytesCommand(["HGET", key, field]) }
    /// HSET of one field; fires with the number of fields added (0 when it was updated).
    public func hset(_ key: RedisArgument, _ field: RedisArgument, _ value: RedisArgument) -> Deferred<Int64> {
        integerCommand(["HSET", key, field, value])
    }
    /// HSET of several fields.
    public func hset(_ key: RedisArgument, _ fields: [(RedisArgument, RedisArgument)]) -> Deferred<Int64> {
        map(["HSET", key] + fields.flatMap { [$0.0, $0.1] }, Self.int)
    }
    /// HGETALL as a dictionary (RESP2's flat array and RESP3's map alike).
    public func hgetall(_ key: RedisArgument) -> Deferred<[String: ByteBuffer]> {
        map(["HGETALL", key]) { v in
            let a = try Self.bytesList(v)
            var d: [String: ByteBuffer] = [:]
            var i = 0
            while i + 1 < a.count { d[String(buffer: a[i])] = a[i + 1]; i += 2 }
            return d
        }
    }
    public func hdel(_ key: RedisArgument, _ fields: [RedisArgument]) -> Deferred<Int64> { integerCommand(["HDEL", key] + fields) }

    // MARK: lists

    /// LPUSH; fires with the list's new length.
    public func lpush(_ key: RedisArgument, _ values: [RedisArgument]) -> Deferred<Int64> { integerCommand(["LPUSH", key] + values) }
    /// RPUSH; fires with the list's new length.
    public func rpush(_ key: RedisArgument, _ values: [RedisArgument]) -> Deferred<Int64> { integerCommand(["RPUSH", key] + values) }
    public func lpop(_ key: RedisArgument) -> Deferred<ByteBuffer?> { optionalBytesCommand(["LPOP", key]) }
    public func rpop(_ key: RedisArgument) -> Deferred<ByteBuffer?> { optionalBytesCommand(["RPOP", key]) }
    public func lrange(_ key: RedisArgument, _ start: Int, _ stop: Int) -> Deferred<[ByteBuffer]> {
        map(["LRANGE", key, RedisArgument(start), RedisArgument(stop)], Self.bytesList)
    }
    public func llen(_ key: RedisArgument) -> Deferred<Int64> { integerCommand(["LLEN", key]) }

    // MARK: sets

    public func sadd(_ key: RedisArgument, _ members: [RedisArgument]) -> Deferred<Int64> { integerCommand(["SADD", key] + members) }
    public func srem(_ key: RedisArgument, _ members: [RedisArgument]) -> Deferred<Int64> { integerCommand(["SREM", key] + members) }
    public func smembers(_ key: RedisArgument) -> Deferred<Set<ByteBuffer>> { map(["SMEMBERS", key]) { Set(try Self.bytesList($0)) } }
    public func sismember(_ key: RedisArgument, _ member: RedisArgument) -> Deferred<Bool> {
        map(["SISMEMBER", key, member]) { try Self.int($0) == 1 }
    }

    // MARK: sorted sets

    /// ZADD of (score, member) pairs; fires with the number of members added.
    public func zadd(_ key: RedisArgument, _ members: [(Double, RedisArgument)]) -> Deferred<Int64> {
        map(["ZADD", key] + members.flatMap { [RedisArgument($0.0), $0.1] }, Self.int)
    }
    /// ZRANGE by rank.
    public func zrange(_ key: RedisArgument, _ start: Int, _ stop: Int) -> Deferred<[ByteBuffer]> {
        map(["ZRANGE", key, RedisArgument(start), RedisArgument(stop)], Self.bytesList)
    }
    /// ZRANGE … WITHSCORES as (member, score) pairs (RESP2's flat array and RESP3's pairs alike).
    public func zrangeWithScores(_ key: RedisArgument, _ start: Int, _ stop: Int) -> Deferred<[(member: ByteBuffer, score: Double)]> {
        map(["ZRANGE", key, RedisArgument(start), RedisArgument(stop), "WITHSCORES"]) { v in
            var flat: [RedisValue] = []
            for e in try Self.list(v) {
                if case .array(let pair) = e { flat += pair } else { flat.append(e) }
            }
            var out: [(member: ByteBuffer, score: Double)] = []
            var i = 0
            while i + 1 < flat.count {
                guard let m = flat[i].bytes, let s = flat[i + 1].double else { throw RedisError.unexpectedReply("ZRANGE WITHSCORES returned \(v)") }
                out.append((m, s))
                i += 2
            }
            return out
        }
    }
    /// ZSCORE, or nil when the member is absent.
    public func zscore(_ key: RedisArgument, _ member: RedisArgument) -> Deferred<Double?> {
        map(["ZSCORE", key, member]) { v in
            if v.isNull { return nil }
            guard let d = v.double else { throw RedisError.unexpectedReply("ZSCORE returned \(v)") }
            return d
        }
    }
    public func zrem(_ key: RedisArgument, _ members: [RedisArgument]) -> Deferred<Int64> { integerCommand(["ZREM", key] + members) }

    // MARK: async helpers (Sendable results, for callers off the reactor)

    /// One SCAN step, awaited.
    public func scanPage(cursor: String, match: String?, count: Int?) async throws -> (cursor: String, keys: [ByteBuffer]) {
        try await scan(cursor: cursor, match: match, count: count).value
    }

    /// Every key matching `match`, SCAN after SCAN, as an async sequence (keys may repeat, as SCAN allows).
    public nonisolated func scanKeys(match: String? = nil, count: Int? = nil) -> RedisScanSequence {
        RedisScanSequence(client: self, match: match, count: count)
    }
}
