/// Redirects every GET to a fixed URL (Tornado's `RedirectHandler`).
///
/// Arguments: `url` (may hold `{0}`, `{1}`… for positional groups and `{name}` for named ones) and `permanent`
/// (default true: 301; false: 302). The request's query arguments are appended to the target's.
open class RedirectHandler: RequestHandler {
    public var url = "/"
    public var permanent = true

    public required init() { super.init() }

    open override func initialize(_ arguments: [String: Any]) {
        url = arguments["url"] as? String ?? "/"
        permanent = arguments["permanent"] as? Bool ?? true
    }

    open override func get() throws -> HandlerResult {
        var target = url
        for (i, a) in pathArgs.enumerated() { target = target.replacingOccurrences(of: "{\(i)}", with: a ?? "") }
        for (k, v) in pathKwargs { target = target.replacingOccurrences(of: "{\(k)}", with: (v ?? nil) ?? "") }
        let q = request.query
        if !q.isEmpty {
            var pairs: [(String, String)] = []
            var base = target
            if let qi = target.firstIndex(of: "?") {
                base = String(target[..<qi])
                pairs = TornadoURLCoding.parsePairs(target[target.index(after: qi)...])
            }
            pairs += TornadoURLCoding.parsePairs(Substring(q))
            target = base + "?" + TornadoURLCoding.urlencode(pairs)
        }
        try redirect(target, permanent: permanent)
        return .done
    }
}

/// Answers every request with one error status (Tornado's `ErrorHandler`); argument `status`. XSRF is not
/// checked. It is also the Application's default 404.
open class ErrorHandler: RequestHandler {
    public var errorStatus = 404

    public required init() { super.init() }

    open override func initialize(_ arguments: [String: Any]) {
        errorStatus = arguments["status"] as? Int ?? 404
    }

    open override func prepare() throws -> HandlerResult { throw HTTPError(errorStatus) }
    open override func checkXsrfCookie() throws {}
}

/// Hands the request to any twisted.web ``Resource`` (Tornado's `FallbackHandler`, which wraps a WSGI app):
/// argument `fallback`. The resource sees the whole request path (traversal starts from it with the full
/// `postpath`) and answers through the request as usual; the handler itself writes nothing.
open class FallbackHandler: RequestHandler {
    public var fallback: Resource?

    public required init() { super.init() }

    open override func initialize(_ arguments: [String: Any]) {
        fallback = arguments["fallback"] as? Resource
    }

    open override func prepare() throws -> HandlerResult {
        guard let fallback else { throw HTTPError(500, "FallbackHandler needs a fallback resource") }
        request.render(fallback.childForRequest(request))
        headersWritten = true
        finished = true
        onFinish()
        return .done
    }
}
