import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Thrown by a handler (from `prepare`, a verb method, or a Deferred/async body) to answer with an error status
/// (Tornado's `HTTPError`). The handler's ``RequestHandler/sendError(_:error:)`` writes the page.
///
/// `logMessage` goes to the log, never to the client. `reason` replaces the standard reason phrase (a reason with
/// control characters or `<` becomes "Unknown"). `detail`, a Twister addition, is shown (escaped) in the default
/// error page under the `code: reason` line; ``MissingArgumentError`` uses it to name the argument.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public let code: Int
    public let logMessage: String?
    public let reason: String?
    public let detail: String?

    public init(_ code: Int, _ logMessage: String? = nil, reason: String? = nil, detail: String? = nil) {
        self.code = code
        self.logMessage = logMessage
        self.reason = reason
        self.detail = detail
    }

    public var description: String {
        "HTTP \(code): \(reason ?? TornadoStatus.reason(code))\(logMessage.map { " (\($0))" } ?? "")"
    }
}

/// A required argument was absent: 400 (Tornado's `MissingArgumentError`, log message `Missing argument NAME`).
public func MissingArgumentError(_ name: String) -> HTTPError {
    HTTPError(400, "Missing argument \(name)", detail: "Missing argument \(name)")
}
