/// One key/value entry of a RESP3 map (or attribute).
public struct RedisPair: Sendable, Hashable {
    public var key: RedisValue
    public var value: RedisValue
    public init(_ key: RedisValue, _ value: RedisValue) { self.key = key; self.value = value }
}
