import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// What a handler knows of its request beyond the Request itself: the client's address, scheme, host, timing.
extension RequestHandler {
    /// The client's address (Tornado's `remote_ip`): the socket's peer, or with
    /// ``ApplicationSettings/xheaders`` the valid address a proxy passed in `X-Real-Ip`/`X-Forwarded-For`.
    public var remoteIP: String {
        let socket: String
        switch request.getClientAddress() {
        case .ipv4(let h, _)?, .ipv6(let h, _)?: socket = h
        default: socket = "127.0.0.1"
        }
        guard application.settings.xheaders else { return socket }
        return XHeaders.remoteIP(request.requestHeaders, socket: socket, trusted: application.settings.trustedDownstream)
    }

    /// `METHOD uri (ip)`, as in Tornado's logs.
    public var requestSummary: String {
        guard let request else { return "-" }
        return "\(request.method) \(request.uri) (\(remoteIP))"
    }

    /// Seconds from the handler's creation to its finish (or now), when the access log is on; else 0.
    public var requestTime: Double {
        guard startTime > 0 else { return 0 }
        return (endTime ?? Reactor.shared.seconds()) - startTime
    }

    /// `http` or `https` (Tornado's `request.protocol`): from the connection, or with
    /// ``ApplicationSettings/xheaders`` from `X-Scheme`/`X-Forwarded-Proto` when it says `http` or `https`.
    public var scheme: String {
        let own = request.isSecure ? "https" : "http"
        guard application.settings.xheaders else { return own }
        return XHeaders.scheme(request.requestHeaders, default: own)
    }

    /// The request's Host header (or our address).
    public var host: String { request.getHeader("Host") ?? request.getRequestHostname() }

    /// The absolute URL of the request (Tornado's `full_url()`).
    public var fullURL: String { "\(scheme)://\(host)\(request.uri)" }
}
