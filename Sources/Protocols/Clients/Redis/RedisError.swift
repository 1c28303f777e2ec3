/// Why a Redis call failed. A lost connection fails calls with its ``ConnectionError`` instead.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered with an error; the text is the server's, e.g. "WRONGTYPE Operation against a key…".
    case server(String)
    /// The server sent bytes that are not RESP; the connection was closed.
    case protocolViolation(String)
    /// The reply did not have the shape the typed helper expects (the text says what came).
    case unexpectedReply(String)
    /// `EXEC` returned null: a watched key changed, the transaction was discarded.
    case transactionAborted
    /// The client is not connected (never was, or the connection ended, or the pool is stopped).
    case notConnected
    /// An argument is not usable (checked before sending).
    case invalidArgument(String)
    /// No reply within the timeout; pending calls failed and the connection was closed.
    case timedOut(seconds: Double)

    public var description: String {
        switch self {
        case .server(let s): return "Redis error: \(s)"
        case .protocolViolation(let s): return "Redis protocol violation: \(s)"
        case .unexpectedReply(let s): return "unexpected Redis reply: \(s)"
        case .transactionAborted: return "Redis transaction aborted (EXEC returned null)"
        case .notConnected: return "Redis client is not connected"
        case .invalidArgument(let s): return "invalid Redis argument: \(s)"
        case .timedOut(let s): return "Redis did not answer within \(s) seconds"
        }
    }

    /// The error code of a server error: its first word ("WRONGTYPE", "ERR", "NOAUTH", …).
    public var code: String? {
        guard case .server(let s) = self else { return nil }
        return s.split(separator: " ", maxSplits: 1).first.map(String.init)
    }
}
