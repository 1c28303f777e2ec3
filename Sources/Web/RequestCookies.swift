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
              let decoded = Base64.decode(String(parts[1].trimmingSpaces)) else { return ("", "") }
        let s = String(decoding: decoded, as: UTF8.self)
        guard let c = s.firstIndex(of: ":") else { return ("", "") }
        return (String(s[..<c]), String(s[s.index(after: c)...]))
    }
}

/// Standard base64 (RFC 4648) decoding and encoding, strict about the alphabet.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc = 0, bits = 0, pad = 0
        for c in s.utf8 {
            if c == 0x3D { pad += 1; continue }
            if pad > 0 { return nil }
            let v: Int
            switch c {
            case 0x41...0x5A: v = Int(c) - 0x41
            case 0x61...0x7A: v = Int(c) - 0x61 + 26
            case 0x30...0x39: v = Int(c) - 0x30 + 52
            case 0x2B: v = 62
            case 0x2F: v = 63
            default: return nil
            }
            acc = (acc << 6) | v; bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8((acc >> bits) & 0xFF)) }
        }
        if pad > 2 { return nil }
        return out
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var i = 0
        while i + 2 < bytes.count {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            out += [alphabet[n >> 18], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], alphabet[n & 63]]
            i += 3
        }
        if bytes.count - i == 1 {
            let n = Int(bytes[i]) << 16
            out += [alphabet[n >> 18], alphabet[(n >> 12) & 63], 0x3D, 0x3D]
        } else if bytes.count - i == 2 {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8
            out += [alphabet[n >> 18], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], 0x3D]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
