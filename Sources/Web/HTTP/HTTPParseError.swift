import TwisterProtocols

/// A request the channel refuses: the status to answer with and a short reason sent as the body.
///
/// The channel answers `status` with `reason` as a plain-text body, `Connection: close`, and closes: after a framing
/// error nothing later on the connection can be trusted (this is what makes request smuggling impossible).
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: Int
    public let reason: String
    public init(_ status: Int, _ reason: String) { self.status = status; self.reason = reason }
    public var description: String { "\(status) \(HTTPStatus.reason(status)): \(reason)" }

    package static func bad(_ reason: String) -> HTTPParseError { HTTPParseError(400, reason) }
}
