import TwisterProtocols
import TwisterHTTP

/// Thrown by a render method (or a Deferred/async handler) to answer with an error page of that status.
///
/// The Site answers `code` with an escaped HTML page whose paragraph is `message` (Twisted's `web.error.Error`).
public struct ResourceError: Error, CustomStringConvertible, Sendable {
    public let code: Int
    public let message: String
    public init(_ code: Int, _ message: String = "") { self.code = code; self.message = message }
    public var description: String { "\(code) \(HTTPStatus.reason(code))\(message.isEmpty ? "" : ": \(message)")" }
}
