/// Something that runs Redis commands: one connection (``RedisProtocol``) or a pool of them (``RedisPool``).
///
/// The typed commands (``get(_:)``, ``hset(_:_:_:)``, ``incr(_:)``, ``scanKeys(match:count:)``…) are defined once,
/// in an extension of this protocol (RedisClient+Commands.swift), on top of the primitives below; so a pool has
/// exactly the command API of one connection. Everything on the reactor thread.
///
/// Contract of the primitives: each sends one command (its argument list, not empty) and returns a Deferred of
/// its reply; a server error reply fails it with ``RedisError/server(_:)``, a reply of another shape than the
/// primitive expects with ``RedisError/unexpectedReply(_:)``. On a pool the command runs on the connection
/// ``RedisPool/acquire()`` gives (so a pool's calls may run in any order relative to each other).
@ReactorActor
public protocol RedisClient: AnyObject, Sendable {
    /// Any command; fires with its reply.
    func execute(_ args: [RedisArgument]) -> Deferred<RedisValue>
    /// A command whose reply is an integer (INCR, DEL, HSET…).
    func executeInteger(_ args: [RedisArgument]) -> Deferred<Int64>
    /// A command whose reply is a bulk string or null (GET, HGET, LPOP…).
    func executeOptionalBytes(_ args: [RedisArgument]) -> Deferred<ByteBuffer?>
    /// GET: the value, or nil when the key does not exist.
    func get(_ key: RedisArgument) -> Deferred<ByteBuffer?>
    /// SET with optional expiry and NX/XX; fires false when the condition prevented the write.
    func set(_ key: RedisArgument, _ value: RedisArgument, expire: RedisExpiry?, condition: RedisSetCondition) -> Deferred<Bool>
}

extension RedisClient {
    /// The argument list of a SET with `expire` and `condition`.
    static func setArguments(_ key: RedisArgument, _ value: RedisArgument, expire: RedisExpiry?,
                             condition: RedisSetCondition) -> [RedisArgument] {
        var args: [RedisArgument] = ["SET", key, value]
        switch expire {
        case .seconds(let s)?: args += ["EX", RedisArgument(s)]
        case .milliseconds(let ms)?: args += ["PX", RedisArgument(ms)]
        case nil: break
        }
        switch condition {
        case .always: break
        case .ifNotExists: args.append("NX")
        case .ifExists: args.append("XX")
        }
        return args
    }
}
