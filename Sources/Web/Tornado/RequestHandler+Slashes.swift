import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Trailing-slash normalisation (Tornado's `@removeslash` and `@addslash`), as wrappers around a verb's body.
extension RequestHandler {
    /// Runs `body` unless the path ends in `/`: then GET and HEAD get a 301 to the path without its trailing
    /// slashes (query kept; `/` itself is left alone) and other methods 404.
    public func removeSlash(_ body: () throws -> HandlerResult) throws -> HandlerResult {
        let path = request.path
        if path.hasSuffix("/") {
            let m = request.method
            guard m == "GET" || m == "HEAD" else { throw HTTPError(404) }
            var uri = String(path.reversed().drop(while: { $0 == "/" }).reversed())
            if !uri.isEmpty {
                if !request.query.isEmpty { uri += "?" + request.query }
                try redirect(uri, permanent: true)
                return .done
            }
        }
        return try body()
    }

    /// Runs `body` when the path ends in `/`; otherwise GET and HEAD get a 301 to the path plus `/` (query kept)
    /// and other methods 404.
    public func addSlash(_ body: () throws -> HandlerResult) throws -> HandlerResult {
        let path = request.path
        if !path.hasSuffix("/") {
            let m = request.method
            guard m == "GET" || m == "HEAD" else { throw HTTPError(404) }
            var uri = path + "/"
            if !request.query.isEmpty { uri += "?" + request.query }
            try redirect(uri, permanent: true)
            return .done
        }
        return try body()
    }
}
