import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Cross-site request forgery protection (Tornado's `xsrf_token`, `check_xsrf_cookie`, `xsrf_form_html`).
///
/// The `_xsrf` cookie holds a random 16-byte token; pages embed it masked (v2: `2|hex(mask)|hex(token^mask)|ts`,
/// a fresh mask per request against BREACH). Unsafe requests must send it back as the `_xsrf` argument or the
/// `X-XSRFToken`/`X-CSRFToken` header; the unmasked tokens are compared in constant time.
extension RequestHandler {
    /// This request's masked XSRF token; sets the cookie when the client has none (Tornado's `xsrf_token`).
    public var xsrfToken: String {
        if let t = cachedXsrfToken { return t }
        let settings = application.settings
        var (version, token, timestamp) = rawXsrfToken()
        if token == nil {
            version = nil
            token = Self.randomBytes(16)
            timestamp = Int(application.now())
        }
        let t: String
        if settings.xsrfCookieVersion == 1 {
            t = HashDigest.hex(token!)
        } else {
            let mask = Self.randomBytes(4)
            t = "2|\(HashDigest.hex(mask))|\(HashDigest.hex(Self.mask(mask, token!)))|\(timestamp ?? 0)"
        }
        cachedXsrfToken = t
        if version == nil {
            var o = settings.xsrfCookieOptions
            if o.expiresDays == nil && o.expires == nil { o.expiresDays = 30 }
            try? setCookie(settings.xsrfCookieName, t, options: o)
        }
        return t
    }

    /// `<input type="hidden" name="_xsrf" value="TOKEN"/>` for forms (print it unescaped: `{% raw xsrf_form_html() %}`).
    public func xsrfFormHTML() -> String {
        "<input type=\"hidden\" name=\"_xsrf\" value=\"\(HTML.escape(xsrfToken))\"/>"
    }

    /// Throws 403 unless the request carries the token of its `_xsrf` cookie (Tornado's check).
    func verifyXsrfCookie() throws {
        let sent = try getArgument("_xsrf", default: nil) ?? request.getHeader("X-Xsrftoken") ?? request.getHeader("X-Csrftoken")
        guard let sent, !sent.isEmpty else { throw HTTPError(403, "'_xsrf' argument missing from POST") }
        let (_, token, _) = Self.decodeXsrfToken(sent)
        let (_, expected, _) = rawXsrfToken()
        guard let token else { throw HTTPError(403, "'_xsrf' argument has invalid format") }
        guard let expected, HashDigest.constantTimeEqual(token, expected) else {
            throw HTTPError(403, "XSRF cookie does not match POST argument")
        }
    }

    private func rawXsrfToken() -> (Int?, [UInt8]?, Int?) {
        guard let cookie = getCookie(application.settings.xsrfCookieName) else { return (nil, nil, nil) }
        return Self.decodeXsrfToken(cookie, now: Int(application.now()))
    }

    /// (version, token, timestamp) of a cookie or argument value; all nil when it is malformed.
    static func decodeXsrfToken(_ value: String, now: Int = 0) -> (Int?, [UInt8]?, Int?) {
        if let bar = value.firstIndex(of: "|"), let first = value.first, first >= "1" && first <= "9",
           value[..<bar].allSatisfy({ $0.isASCIIDigit }) {
            guard value[..<bar] == "2" else { return (nil, nil, nil) }
            let parts = value.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 4, let mask = unhex(parts[1]), let masked = unhex(parts[2]), let ts = Int(parts[3]),
                  !mask.isEmpty else { return (nil, nil, nil) }
            return (2, Self.mask(mask, masked), ts)
        }
        if value.isEmpty { return (nil, nil, nil) }
        return (1, unhex(Substring(value)) ?? Array(value.utf8), now)
    }

    static func mask(_ mask: [UInt8], _ data: [UInt8]) -> [UInt8] {
        data.enumerated().map { $0.element ^ mask[$0.offset % mask.count] }
    }

    static func unhex(_ s: Substring) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let h = HTTPBytes.hexValue(u[i]), let l = HTTPBytes.hexValue(u[i + 1]) else { return nil }
            out.append(UInt8(h << 4 | l)); i += 2
        }
        return out
    }

    static func randomBytes(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}
