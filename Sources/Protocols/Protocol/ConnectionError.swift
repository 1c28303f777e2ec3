/// Why a connection ended or could not be made: the reason handed to `connectionLost` and to failed connects.
///
/// `.done` is a clean close (Twisted's `ConnectionDone`); every other case is an error end.
public enum ConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection was closed cleanly (by either side, after everything was written).
    case done
    /// The connection was lost uncleanly (reset by peer, broken pipe, …); the text names the cause.
    case lost(String)
    /// The peer refused the connection.
    case refused
    /// Connecting (or an I/O deadline) timed out.
    case timedOut
    /// The connection was aborted locally with `abortConnection()`.
    case aborted
    /// The host name could not be resolved.
    case dnsLookupFailed(String)
    /// Any other socket error while connecting or listening; the text names the call and errno.
    case socket(String)

    public var description: String {
        switch self {
        case .done: return "Connection was closed cleanly."
        case .lost(let s): return "Connection to the other side was lost: \(s)"
        case .refused: return "Connection was refused by other side."
        case .timedOut: return "User timeout caused connection failure."
        case .aborted: return "Connection was aborted locally."
        case .dnsLookupFailed(let h): return "DNS lookup failed: \(h)"
        case .socket(let s): return "Socket error: \(s)"
        }
    }
}
