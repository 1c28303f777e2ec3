import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Authentication (Tornado's `current_user`, `get_current_user`, `get_login_url` and `@authenticated`).
extension RequestHandler {
    /// The user of this request: from ``getCurrentUser()`` on first use, cached; assign it (e.g. in `prepare`)
    /// to set it directly. nil means anonymous.
    public var currentUser: Any? {
        get {
            if case .known(let u) = currentUserState { return u }
            let u = getCurrentUser()
            currentUserState = .known(u)
            return u
        }
        set { currentUserState = .known(newValue) }
    }

    /// Runs `body` when there is a ``currentUser``; otherwise redirects GET and HEAD to the login URL with
    /// `next` set to this request's URI (its full URL when the login URL is absolute) and answers other methods
    /// 403 (Tornado's `@authenticated`).
    public func authenticated(_ body: () throws -> HandlerResult) throws -> HandlerResult {
        if currentUser == nil {
            let m = request.method
            guard m == "GET" || m == "HEAD" else { throw HTTPError(403) }
            var url = try getLoginURL()
            if !url.contains("?") {
                let next = url.contains("://") ? fullURL : request.uri
                url += "?" + TornadoURLCoding.urlencode([("next", next)])
            }
            try redirect(url)
            return .done
        }
        return try body()
    }

    /// The login URL from the settings; throws when none is set.
    public func getLoginURL() throws -> String {
        guard let u = application.settings.loginURL else {
            throw HTTPError(500, "You must define the loginURL setting to use authenticated()")
        }
        return u
    }
}
