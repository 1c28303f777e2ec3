/// When a `SET` key expires.
public enum RedisExpiry: Sendable, Equatable {
    case seconds(Int)
    case milliseconds(Int)
}
