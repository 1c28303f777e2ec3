import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation

/// Cookies (Tornado's `get_cookie`/`set_cookie`/`clear_cookie`) and signed cookies (`set_signed_cookie`, aliased
/// `setSecureCookie`). Set-Cookie values are formatted as Python's `http.cookies` does: attributes in sorted
/// order (`Domain`, `expires`, `HttpOnly`, `Max-Age`, `Path`, `SameSite`, `Secure`), values with special
/// characters double-quoted with `\"`, `\\` and octal escapes.
extension RequestHandler {
    /// The value of cookie `name` sent by the client (a quoted value is unquoted), or `defaultValue`.
    public func getCookie(_ name: String, default defaultValue: String? = nil) -> String? {
        guard let raw = request.getCookie(name) else { return defaultValue }
        return Self.unquoteCookie(raw)
    }

    /// The names and values of every cookie the client sent.
    public var cookies: [String: String] {
        var out: [String: String] = [:]
        for header in request.requestHeaders.values("Cookie") {
            for entry in header.split(separator: ";") {
                guard let eq = entry.firstIndex(of: "=") else { continue }
                let k = String(entry[..<eq]).trimmingCharacters(in: .whitespaces)
                if !k.isEmpty && out[k] == nil { out[k] = Self.unquoteCookie(String(entry[entry.index(after: eq)...]).trimmingCharacters(in: .whitespaces)) }
            }
        }
        return out
    }

    /// Sets a cookie; a second call for the same name replaces the first (with its attributes). Throws
    /// ``CookieError`` for control characters or spaces in the name or value, or `;` or control characters in
    /// the name, domain, path or SameSite.
    public func setCookie(_ name: String, _ value: String, options: CookieOptions = CookieOptions()) throws {
        for c in (name + value).utf8 where c <= 0x20 || c == 0x7F {
            throw CookieError(message: "Invalid cookie \(name.debugDescription): \(value.debugDescription)")
        }
        for part in [name, options.domain ?? "", options.path ?? ""] {
            for c in part.utf8 where c < 0x20 || c == 0x7F || c == 0x3B {
                throw CookieError(message: "Invalid cookie attribute \(part.debugDescription)")
            }
        }
        var s = "\(name)=\(Self.quoteCookie(value))"
        if let d = options.domain { s += "; Domain=\(d)" }
        var expires = options.expires
        if expires == nil, let days = options.expiresDays { expires = application.now() + days * 86400 }
        if let e = expires { s += "; expires=\(HTTPDate.format(Int(e)))" }
        if options.httpOnly { s += "; HttpOnly" }
        if let m = options.maxAge { s += "; Max-Age=\(m)" }
        if let p = options.path { s += "; Path=\(p)" }
        if let ss = options.sameSite { s += "; SameSite=\(ss.rawValue)" }
        if options.secure { s += "; Secure" }
        if let i = newCookies.firstIndex(where: { $0.name == name }) { newCookies.remove(at: i) }
        newCookies.append((name, s))
    }

    /// Deletes cookie `name` by setting it empty with an expiry a year ago (same path and domain needed).
    public func clearCookie(_ name: String, path: String = "/", domain: String? = nil) {
        try? setCookie(name, "", options: CookieOptions(domain: domain, expires: application.now() - 365 * 86400, path: path))
    }

    /// Deletes every cookie the client sent.
    public func clearAllCookies(path: String = "/", domain: String? = nil) {
        for name in cookies.keys.sorted() { clearCookie(name, path: path, domain: domain) }
    }

    /// The `Set-Cookie` values this response will send, in order.
    public var outgoingCookies: [String] { newCookies.map(\.header) }

    // MARK: signed cookies

    private func requireSecret() throws -> CookieSecret {
        guard let s = application.settings.cookieSecret else {
            throw HTTPError(500, "You must set the cookieSecret setting to use secure cookies")
        }
        return s
    }

    /// Signs `value` (Tornado's `create_signed_value`) with the application's cookie secret.
    public func createSignedValue(_ name: String, _ value: [UInt8], version: Int = 2) throws -> String {
        SignedValue.create(secret: try requireSecret(), name: name, value: value, version: version, now: Int(application.now()))
    }

    /// Sets a signed, timestamped cookie (Tornado's `set_signed_cookie`): by default v2, expiring in 30 days.
    public func setSecureCookie(_ name: String, _ value: String, expiresDays: Double? = 30, version: Int = 2,
                                options: CookieOptions = CookieOptions()) throws {
        var o = options
        if o.expiresDays == nil && o.expires == nil { o.expiresDays = expiresDays }
        try setCookie(name, createSignedValue(name, Array(value.utf8), version: version), options: o)
    }

    /// The verified value of signed cookie `name` (or of `value` when given), or nil when absent, forged, for
    /// another name, older than `maxAgeDays` or not UTF-8 (Tornado's `get_signed_cookie`).
    public func getSecureCookie(_ name: String, value: String? = nil, maxAgeDays: Double = 31, minVersion: Int = 1) -> String? {
        guard let bytes = getSecureCookieBytes(name, value: value, maxAgeDays: maxAgeDays, minVersion: minVersion) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// As ``getSecureCookie(_:value:maxAgeDays:minVersion:)``, returning the raw bytes.
    public func getSecureCookieBytes(_ name: String, value: String? = nil, maxAgeDays: Double = 31, minVersion: Int = 1) -> [UInt8]? {
        guard let secret = application.settings.cookieSecret, let signed = value ?? getCookie(name) else { return nil }
        return SignedValue.decode(secret: secret, name: name, signed: signed, maxAgeDays: maxAgeDays,
                                  minVersion: minVersion, now: Int(application.now()))
    }

    /// The key version signed cookie `name` was signed with (Tornado's `get_signed_cookie_key_version`).
    public func getSecureCookieKeyVersion(_ name: String, value: String? = nil) -> Int? {
        guard let signed = value ?? getCookie(name) else { return nil }
        return SignedValue.keyVersion(of: signed)
    }

    /// Tornado's current names for the secure-cookie calls.
    public func setSignedCookie(_ name: String, _ value: String, expiresDays: Double? = 30, version: Int = 2,
                                options: CookieOptions = CookieOptions()) throws {
        try setSecureCookie(name, value, expiresDays: expiresDays, version: version, options: options)
    }

    public func getSignedCookie(_ name: String, value: String? = nil, maxAgeDays: Double = 31, minVersion: Int = 1) -> String? {
        getSecureCookie(name, value: value, maxAgeDays: maxAgeDays, minVersion: minVersion)
    }

    // MARK: quoting (Python's http.cookies)

    private static let legal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~:".unicodeScalars)
    private static let unescaped = legal.union(" ()/<=>?@[]{}".unicodeScalars)

    static func quoteCookie(_ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ legal.contains($0) }) { return value }
        var out = "\""
        for u in value.unicodeScalars {
            if u == "\"" { out += "\\\"" }
            else if u == "\\" { out += "\\\\" }
            else if unescaped.contains(u) || u.value > 255 { out.unicodeScalars.append(u) }
            else {
                let o = String(u.value, radix: 8)
                out += "\\" + String(repeating: "0", count: max(0, 3 - o.count)) + o
            }
        }
        return out + "\""
    }

    static func unquoteCookie(_ raw: String) -> String {
        guard raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") else { return raw }
        let inner = Array(raw.unicodeScalars.dropFirst().dropLast())
        var out = String.UnicodeScalarView()
        var i = 0
        while i < inner.count {
            let u = inner[i]
            if u == "\\" && i + 1 < inner.count {
                if i + 3 < inner.count, let v = UInt32(String(String.UnicodeScalarView(inner[(i + 1)...(i + 3)])), radix: 8),
                   let s = Unicode.Scalar(v) {
                    out.append(s); i += 4; continue
                }
                out.append(inner[i + 1]); i += 2; continue
            }
            out.append(u); i += 1
        }
        return String(out)
    }
}
