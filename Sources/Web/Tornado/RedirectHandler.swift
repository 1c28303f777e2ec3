import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Redirects every GET to a fixed URL (Tornado's `RedirectHandler`).
///
/// Arguments: `url` (may hold `{0}`, `{1}`… for positional groups and `{name}` for named ones) and `permanent`
/// (default true: 301; false: 302). The request's query arguments are appended to the target's.
open class RedirectHandler: RequestHandler {
    public var url = "/"
    public var permanent = true


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
