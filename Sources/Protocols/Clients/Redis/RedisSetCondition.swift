/// The condition of a `SET`.
public enum RedisSetCondition: Sendable, Equatable {
    case always
    /// `NX`: only if the key does not exist.
    case ifNotExists
    /// `XX`: only if the key exists.
    case ifExists
}
