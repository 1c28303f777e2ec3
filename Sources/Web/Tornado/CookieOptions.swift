import TwisterProtocols
import TwisterHTTP
import TwisterWebServer
import TwisterTemplates

/// Attributes of a cookie set by ``RequestHandler/setCookie(_:_:options:)`` (Tornado's `set_cookie` keywords).
public struct CookieOptions: Sendable {
    public var domain: String?
    /// Seconds since the epoch.
    public var expires: Double?
    public var path: String? = "/"
    /// Days from now (used when `expires` is nil).
    public var expiresDays: Double?
    public var maxAge: Int?
    public var httpOnly = false
    public var secure = false
    public var sameSite: SameSite?

    public init(domain: String? = nil, expires: Double? = nil, path: String? = "/", expiresDays: Double? = nil,
                maxAge: Int? = nil, httpOnly: Bool = false, secure: Bool = false, sameSite: SameSite? = nil) {
        self.domain = domain; self.expires = expires; self.path = path; self.expiresDays = expiresDays
        self.maxAge = maxAge; self.httpOnly = httpOnly; self.secure = secure; self.sameSite = sameSite
    }
}
