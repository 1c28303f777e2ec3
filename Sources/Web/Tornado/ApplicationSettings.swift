import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import TwisterTemplates

/// The settings of an ``Application`` (Tornado's `settings` dict, typed).
public struct ApplicationSettings {
    /// Development mode: tracebacks in error pages, templates reloaded when changed, static hashes not cached.
    public var debug = false
    /// Show the error in 500 pages (plain text). Defaults to `debug`.
    public var serveTraceback: Bool?
    /// The key(s) signing secure cookies; nil makes `setSecureCookie`/`getSecureCookie` fail.
    public var cookieSecret: CookieSecret?
    /// Where ``RequestHandler/authenticated(_:)`` sends anonymous GET/HEAD requests.
    public var loginURL: String?
    /// Check the `_xsrf` token on POST, PUT, DELETE, PATCH (and any method but GET, HEAD, OPTIONS).
    public var xsrfCookies = false
    public var xsrfCookieName = "_xsrf"
    /// 2 (masked, the default) or 1 (plain hex).
    public var xsrfCookieVersion = 2
    /// Attributes of the XSRF cookie; `expiresDays` defaults to 30.
    public var xsrfCookieOptions = CookieOptions()
    /// A directory of templates (a ``Loader`` is made for it), unless ``templateLoader`` is set.
    public var templatePath: String?
    public var templateLoader: Loader?
    /// A directory of static files: adds `/static/(.*)`, `/(favicon.ico)` and `/(robots.txt)` routes.
    public var staticPath: String?
    /// Static files from memory (name → bytes), served like ``staticPath`` (for embedded assets).
    public var staticContent: [String: [UInt8]]?
    public var staticURLPrefix = "/static/"
    /// The handler type serving static files.
    public var staticHandlerType: StaticFileHandler.Type = StaticFileHandler.self
    /// Gzip `text/*`, JSON, JavaScript, XML and SVG responses (at least 1024 bytes when sent whole) for
    /// clients that accept it; adds `Vary: Accept-Encoding` to every response.
    public var compressResponse = false
    /// Handles requests no route matched (default: 404 through ``ErrorHandler``).
    public var defaultHandler: (@ReactorActor () -> RequestHandler)?
    /// Replaces the access log line (called once per finished request).
    public var logFunction: (@ReactorActor (RequestHandler) -> Void)?
    /// The host whose rules also serve requests for unmatched hosts (unless they carry X-Real-Ip).
    public var defaultHost: String?
    /// Trust the proxy headers (Tornado's `HTTPServer(xheaders=True)`): ``RequestHandler/remoteIP`` comes from
    /// `X-Real-Ip`, else the last `X-Forwarded-For` hop not in ``trustedDownstream``, and is used only if it is
    /// a valid IPv4/IPv6 address (else the socket's address); ``RequestHandler/scheme`` comes from the last
    /// value of `X-Scheme`, else `X-Forwarded-Proto`, and is used only if it is `http` or `https`. Off by
    /// default: turn it on only behind a proxy that sets these headers, since clients can send them.
    public var xheaders = false
    /// Proxy addresses skipped when reading `X-Forwarded-For` from the right (Tornado's `trusted_downstream`).
    public var trustedDownstream: Set<String> = []
    /// Extra values every template sees.
    public var templateNamespace: [String: TemplateValue] = [:]

    public init() {}

    var showTraceback: Bool { serveTraceback ?? debug }
}
