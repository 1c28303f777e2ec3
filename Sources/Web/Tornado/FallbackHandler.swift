import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Hands the request to any twisted.web ``Resource`` (Tornado's `FallbackHandler`, which wraps a WSGI app):
/// argument `fallback`. The resource sees the whole request path (traversal starts from it with the full
/// `postpath`) and answers through the request as usual; the handler itself writes nothing.
open class FallbackHandler: RequestHandler {
    public var fallback: Resource?


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
