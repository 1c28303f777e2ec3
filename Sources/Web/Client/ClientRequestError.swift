import TwisterProtocols
import TwisterHTTP

/// The request could not be built: bad method, URL or header (Twisted raises ValueError/SchemeNotSupported).
public struct ClientRequestError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "Invalid request: \(message)" }
}
