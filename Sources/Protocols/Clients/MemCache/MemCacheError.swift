/// Why a memcached call failed. A lost connection fails calls with its ``ConnectionError`` instead.
public enum MemCacheError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key is not usable; the text names the problem (checked before anything is sent).
    case invalidKey(String)
    /// The value or another argument is not usable; the text names the problem (checked before sending).
    case invalidValue(String)
    /// The server answered `ERROR` (it does not know the command).
    case noSuchCommand
    /// The server answered `CLIENT_ERROR <text>`.
    case client(String)
    /// The server answered `SERVER_ERROR <text>`.
    case server(String)
    /// No reply came within the protocol's timeout; every pending call failed and the connection was closed.
    case timedOut(seconds: Double)
    /// The server sent something that is not a valid reply; the connection was closed.
    case protocolViolation(String)
    /// The protocol is not connected (never was, or the connection ended).
    case notConnected

    public var description: String {
        switch self {
        case .invalidKey(let s): return "invalid memcached key: \(s)"
        case .invalidValue(let s): return "invalid memcached value: \(s)"
        case .noSuchCommand: return "memcached answered ERROR (unknown command)"
        case .client(let s): return "memcached CLIENT_ERROR: \(s)"
        case .server(let s): return "memcached SERVER_ERROR: \(s)"
        case .timedOut(let s): return "memcached did not answer within \(s) seconds"
        case .protocolViolation(let s): return "memcached protocol violation: \(s)"
        case .notConnected: return "memcached protocol is not connected"
        }
    }
}
