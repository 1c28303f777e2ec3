import TwisterProtocols
import TwisterHTTP

/// Where a pooled connection goes: Twisted keys its pool by (scheme, host, port); a UNIX socket path is kept in
/// `host` with port 0 and scheme `http+unix`.
public struct ConnectionKey: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public init(_ url: ClientURL) { self.init(scheme: url.scheme, host: url.host, port: url.port) }

    /// True for a UNIX-socket destination.
    public var isUNIX: Bool { scheme == "http+unix" }

    /// The client endpoint string (`tcp:host=H:port=P` or `unix:PATH`), with `:` and `\` escaped.
    public var endpointDescription: String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:") }
        return isUNIX ? "unix:\(esc(host))" : "tcp:host=\(esc(host)):port=\(port)"
    }

    public var description: String { isUNIX ? "unix:\(host)" : "\(scheme)://\(host):\(port)" }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

private extension Substring {
    func range(of needle: String) -> Range<Substring.Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
