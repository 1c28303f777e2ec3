import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Answers every request with one error status (Tornado's `ErrorHandler`); argument `status`. XSRF is not
/// checked. It is also the Application's default 404.
open class ErrorHandler: RequestHandler {
    public var errorStatus = 404


    open override func initialize(_ arguments: [String: Any]) {
        errorStatus = arguments["status"] as? Int ?? 404
    }

    open override func prepare() throws -> HandlerResult { throw HTTPError(errorStatus) }
    open override func checkXsrfCookie() throws {}
}
