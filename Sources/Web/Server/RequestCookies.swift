import TwisterProtocols
import TwisterHTTP

/// The `SameSite` attribute of a cookie.
public enum SameSite: String, Sendable {
    case strict = "Strict", lax = "Lax", none = "None"
}

extension Request {
    /// The value of cookie `name` from the request's `Cookie` headers, or nil (Twisted's `getCookie`).
    ///
    /// Every `Cookie` header is read; entries without `=` are skipped, spaces left of a name are stripped and
    /// right of a value kept; a name seen twice keeps its first value.
    public func getCookie(_ name: String) -> String? {
        if cookieCache == nil {
            var c: [String: String] = [:]
            for header in requestHeaders.values("Cookie") {
                for entry in header.split(separator: ";") {
                    guard let eq = entry.firstIndex(of: "=") else { continue }
                    let k = String(entry[..<eq].drop(while: { $0 == " " || $0 == "\t" }))
                    if k.isEmpty { continue }
                    if c[k] == nil { c[k] = String(entry[entry.index(after: eq)...]) }
                }
            }
            cookieCache = c
        }
        return cookieCache?[name]
    }

    /// Adds a `Set-Cookie` header (Twisted's `addCookie`). `;`, CR and LF in any part are replaced by spaces so
    /// no attribute can be injected. `expires` is seconds since the epoch; `maxAge` seconds.
    public func addCookie(_ name: String, _ value: String, expires: Int? = nil, domain: String? = nil,
                          path: String? = nil, maxAge: Int? = nil, comment: String? = nil, secure: Bool = false,
                          httpOnly: Bool = false, sameSite: SameSite? = nil) {
        func clean(_ s: String) -> String {
            String(s.map { $0 == ";" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
        }
        var s = "\(clean(name))=\(clean(value))"
        if let expires { s += "; Expires=\(HTTPDate.format(expires))" }
        if let domain { s += "; Domain=\(clean(domain))" }
        if let path { s += "; Path=\(clean(path))" }
        if let maxAge { s += "; Max-Age=\(maxAge)" }
        if let comment { s += "; Comment=\(clean(comment))" }
        if secure { s += "; Secure" }
        if httpOnly { s += "; HttpOnly" }
        if let sameSite { s += "; SameSite=\(sameSite.rawValue)" }
        responseHeaders.add("Set-Cookie", s)
    }

    /// The user name of a `Basic` Authorization header, or "" (Twisted's `getUser`).
    public func getUser() -> String { basicCredentials().0 }
    /// The password of a `Basic` Authorization header, or "" (Twisted's `getPassword`).
    public func getPassword() -> String { basicCredentials().1 }

    private func basicCredentials() -> (String, String) {
        guard let auth = getHeader("Authorization") else { return ("", "") }
        let parts = auth.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Base64Coding.decode(String(parts[1].trimmingSpaces)) else { return ("", "") }
        let s = String(decoding: decoded, as: UTF8.self)
        guard let c = s.firstIndex(of: ":") else { return ("", "") }
        return (String(s[..<c]), String(s[s.index(after: c)...]))
    }
}
