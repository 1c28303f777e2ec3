import TwisterProtocols
import TwisterHTTP

/// A cookie jar for ``CookieAgent``: keeps cookies from `Set-Cookie` and picks those to send (RFC 6265,
/// simplified: domain and path matching, `Max-Age`/`Expires`-less session cookies, `Max-Age=0` deletes; the
/// Secure flag limits a cookie to https, which this client does not speak yet).
@ReactorActor
public final class CookieJar {
    public struct Cookie: Equatable, Sendable {
        public var name: String
        public var value: String
        public var domain: String
        /// True when the cookie came without Domain: only the exact host gets it.
        public var hostOnly: Bool
        public var path: String
        public var secure: Bool
        /// Expiry on the jar's clock, or nil for a session cookie.
        public var expires: Double?
    }
    public private(set) var cookies: [Cookie] = []
    private let clock: (any ReactorTime)?

    public init(clock: (any ReactorTime)? = nil) { self.clock = clock }

    private var now: Double { clock?.seconds() ?? 0 }

    /// Stores the cookies of `headers`' Set-Cookie fields, received from `url`.
    public func store(_ headers: HTTPHeaders, from url: ClientURL) {
        for line in headers.values("Set-Cookie") { store(line, from: url) }
    }

    public func store(_ setCookie: String, from url: ClientURL) {
        let parts = setCookie.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard let first = parts.first, let eq = first.firstIndex(of: "=") else { return }
        let name = String(first[..<eq].trimmingSpaces)
        guard !name.isEmpty else { return }
        var c = Cookie(name: name, value: String(first[first.index(after: eq)...].trimmingSpaces), domain: url.host.lowercased(),
                       hostOnly: true, path: Self.defaultPath(url.target), secure: false, expires: nil)
        var delete = false
        for attr in parts.dropFirst() {
            let kv = attr.split(separator: "=", maxSplits: 1)
            guard let k = kv.first?.trimmingSpaces.lowercased() else { continue }
            let v = kv.count > 1 ? String(kv[1].trimmingSpaces) : ""
            switch k {
            case "domain":
                var d = v.lowercased()
                if d.hasPrefix(".") { d.removeFirst() }
                guard !d.isEmpty else { continue }
                // A server may only set cookies for its own domain or a parent of it.
                guard Self.domainMatches(url.host.lowercased(), d) else { return }
                c.domain = d
                c.hostOnly = false
            case "path":
                if v.hasPrefix("/") { c.path = v }
            case "secure":
                c.secure = true
            case "max-age":
                if let n = Int(v) {
                    if n <= 0 { delete = true } else { c.expires = now + Double(n) }
                }
            default:
                break
            }
        }
        cookies.removeAll { $0.name == c.name && $0.domain == c.domain && $0.path == c.path }
        if !delete { cookies.append(c) }
    }

    /// The `Cookie` header value for a request to `url`, or nil when no cookie applies.
    public func header(for url: ClientURL) -> String? {
        let host = url.host.lowercased()
        let path = String(url.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let t = now
        cookies.removeAll { ($0.expires ?? .infinity) <= t }
        let matching = cookies.filter { c in
            (c.hostOnly ? host == c.domain : Self.domainMatches(host, c.domain))
                && Self.pathMatches(path, c.path)
                && (!c.secure || url.scheme == "https")
        }.sorted { $0.path.count > $1.path.count }
        guard !matching.isEmpty else { return nil }
        return matching.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    static func domainMatches(_ host: String, _ domain: String) -> Bool {
        host == domain || (host.hasSuffix("." + domain) && !host.allSatisfy { $0.isNumber || $0 == "." })
    }

    static func pathMatches(_ path: String, _ cookiePath: String) -> Bool {
        if path == cookiePath { return true }
        guard path.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || path.dropFirst(cookiePath.count).hasPrefix("/")
    }

    static func defaultPath(_ target: String) -> String {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard path.hasPrefix("/"), let last = path.lastIndex(of: "/"), last != path.startIndex else { return "/" }
        return String(path[..<last])
    }
}
