/// The address of one end of a connection or a listening port (Twisted's `IPv4Address`, `IPv6Address`, `UNIXAddress`).
public enum Address: Sendable, Hashable, CustomStringConvertible {
    case ipv4(host: String, port: Int)
    case ipv6(host: String, port: Int)
    case unix(path: String)

    /// The host part, or the path for UNIX sockets.
    public var host: String {
        switch self { case .ipv4(let h, _), .ipv6(let h, _): return h; case .unix(let p): return p }
    }
    /// The port, or 0 for UNIX sockets.
    public var port: Int {
        switch self { case .ipv4(_, let p), .ipv6(_, let p): return p; case .unix: return 0 }
    }
    public var description: String {
        switch self {
        case .ipv4(let h, let p): return "\(h):\(p)"
        case .ipv6(let h, let p): return "[\(h)]:\(p)"
        case .unix(let p): return "unix:\(p)"
        }
    }
}

extension Address {
    /// The same address with another port (UNIX addresses are unchanged).
    func with(port: Int) -> Address {
        switch self {
        case .ipv4(let h, _): return .ipv4(host: h, port: port)
        case .ipv6(let h, _): return .ipv6(host: h, port: port)
        case .unix: return self
        }
    }
}
