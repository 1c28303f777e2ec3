import TwisterProtocols
import TwisterHTTP

/// An absolute `http:` URL as the client needs it (Twisted's `URI`): scheme, host, port and the origin-form
/// request target, with RFC 3986 reference resolution for redirects.
///
/// Also accepts `http+unix://<percent-encoded socket path>/path` (the requests-unixsocket convention): the
/// host is the socket path, and the connection goes to `unix:<path>`.
public struct ClientURL: Equatable, Sendable, CustomStringConvertible {
    /// Lowercased: `http`, `https` or `http+unix`.
    public var scheme: String
    /// Host name or address, without IPv6 brackets; for `http+unix`, the decoded socket path.
    public var host: String
    public var port: Int
    /// Path and query, never empty (`/` at least); no fragment.
    public var target: String

    public var defaultPort: Int { scheme == "https" ? 443 : 80 }

    /// Parses an absolute URL; throws ``ClientRequestError`` naming what is wrong.
    public init(_ string: String) throws {
        var rest = Substring(string)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        guard let colon = rest.firstIndex(of: ":"), rest[rest.index(after: colon)...].hasPrefix("//") else {
            throw ClientRequestError("not an absolute URL: \(string.debugDescription)")
        }
        scheme = rest[..<colon].lowercased()
        guard ["http", "https", "http+unix"].contains(scheme) else {
            throw ClientRequestError("unsupported scheme \(scheme.debugDescription) (http only)")
        }
        rest = rest[rest.index(colon, offsetBy: 3)...]
        let authEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authEnd]
        let pathPart = rest[authEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else { throw ClientRequestError("URL without a host: \(string.debugDescription)") }
        if scheme == "http+unix" {
            guard let path = Self.percentDecode(authority) else { throw ClientRequestError("bad socket path in \(string.debugDescription)") }
            host = path
            port = 0
        } else if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ClientRequestError("unclosed IPv6 literal in \(string.debugDescription)") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = scheme == "https" ? 443 : 80
            } else {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw ClientRequestError("bad port in \(string.debugDescription)")
                }
                port = p
            }
        } else if let c = authority.lastIndex(of: ":") {
            host = String(authority[..<c])
            let ps = authority[authority.index(after: c)...]
            if ps.isEmpty {
                port = scheme == "https" ? 443 : 80
            } else {
                guard let p = Int(ps), (1...65535).contains(p) else { throw ClientRequestError("bad port in \(string.debugDescription)") }
                port = p
            }
        } else {
            host = String(authority)
            port = scheme == "https" ? 443 : 80
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw ClientRequestError("bad host in \(string.debugDescription)")
        }
        target = pathPart.isEmpty ? "/" : (pathPart.hasPrefix("?") ? "/" + pathPart : String(pathPart))
    }

    /// The `Host` header value: the port only when not the default, IPv6 in brackets.
    public var hostHeader: String {
        if scheme == "http+unix" { return "localhost" }
        let h = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? h : "\(h):\(port)"
    }

    /// The authority as written in an absolute URL.
    private var authority: String {
        if scheme == "http+unix" { return Self.percentEncodePath(host) }
        return hostHeader
    }

    public var description: String { "\(scheme)://\(authority)\(target)" }

    /// True when `other` has the same scheme, host and port (same origin).
    public func sameOrigin(_ other: ClientURL) -> Bool {
        scheme == other.scheme && host.lowercased() == other.host.lowercased() && port == other.port
    }

    /// Resolves `reference` (absolute or relative, as in a Location header) against this URL (RFC 3986 §5.2).
    public func resolve(_ reference: String) throws -> ClientURL {
        var ref = Substring(reference.trimmingSpaces)
        if let hash = ref.firstIndex(of: "#") { ref = ref[..<hash] }
        if let colon = ref.firstIndex(of: ":"), let first = ref.first, first.isLetter,
           ref[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
            return try ClientURL(String(ref))
        }
        if ref.hasPrefix("//") { return try ClientURL("\(scheme):\(ref)") }
        var result = self
        if ref.isEmpty { return result }
        let basePath = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if ref.hasPrefix("?") {
            result.target = String(basePath) + ref
            return result
        }
        let (refPath, query): (Substring, Substring) = {
            if let q = ref.firstIndex(of: "?") { return (ref[..<q], ref[q...]) }
            return (ref, "")
        }()
        let merged: String
        if refPath.hasPrefix("/") {
            merged = String(refPath)
        } else {
            let dir = basePath.lastIndex(of: "/").map { basePath[...$0] } ?? "/"
            merged = String(dir) + refPath
        }
        result.target = Self.removeDotSegments(merged) + query
        return result
    }

    static func removeDotSegments(_ path: String) -> String {
        var out: [Substring] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for (i, seg) in parts.enumerated() {
            let last = i == parts.count - 1
            if seg == "." {
                if last { out.append("") }
            } else if seg == ".." {
                if out.count > 1 { out.removeLast() }
                if last { out.append("") }
            } else {
                out.append(seg)
            }
        }
        let joined = out.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }

    static func percentDecode(_ s: Substring) -> String? {
        var bytes: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = HTTPBytes.hexValue(h), let lv = HTTPBytes.hexValue(l) else { return nil }
                bytes.append(UInt8(hv * 16 + lv))
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func percentEncodePath(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
