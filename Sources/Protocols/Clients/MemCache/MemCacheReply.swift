/// One reply of the memcached text protocol, as ``MemCacheParser`` returns it.
public enum MemCacheReply: Sendable, Equatable {
    /// `VALUE <key> <flags> <bytes> [<cas>]` with its data block; `key` and `data` are slices of the received bytes.
    case value(key: ByteBuffer, flags: UInt32, data: ByteBuffer, cas: UInt64?)
    /// `END`: the last value of a get, or the last statistic of `stats`.
    case end
    /// `STAT <name> <value>` (the value may be empty or contain spaces).
    case stat(name: String, value: String)
    case stored, notStored, exists, notFound, deleted, touched, ok
    /// `VERSION <text>`.
    case version(String)
    /// A decimal number: the new value after `incr`/`decr`.
    case number(UInt64)
    /// `ERROR`: the server does not know the command.
    case error
    /// `CLIENT_ERROR <text>`.
    case clientError(String)
    /// `SERVER_ERROR <text>`.
    case serverError(String)
}

extension MemCacheReply: CustomStringConvertible {
    /// The reply's first line, as the server sent it (for error texts).
    public var description: String {
        switch self {
        case .value(let key, let flags, let data, let cas):
            return "VALUE \(String(buffer: key)) \(flags) \(data.readableBytes)\(cas.map { " \($0)" } ?? "")"
        case .end: return "END"
        case .stat(let name, let value): return "STAT \(name) \(value)"
        case .stored: return "STORED"
        case .notStored: return "NOT_STORED"
        case .exists: return "EXISTS"
        case .notFound: return "NOT_FOUND"
        case .deleted: return "DELETED"
        case .touched: return "TOUCHED"
        case .ok: return "OK"
        case .version(let v): return "VERSION \(v)"
        case .number(let n): return "\(n)"
        case .error: return "ERROR"
        case .clientError(let s): return "CLIENT_ERROR \(s)"
        case .serverError(let s): return "SERVER_ERROR \(s)"
        }
    }
}
