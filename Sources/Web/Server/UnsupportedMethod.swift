import TwisterProtocols
import TwisterHTTP

/// Thrown by ``Resource/render(_:)`` when the resource has no handler for the request's method.
public struct UnsupportedMethod: Error, CustomStringConvertible, Sendable {
    /// The methods the resource does support (for the `Allow` header).
    public let allowedMethods: [String]
    public init(allowedMethods: [String]) { self.allowedMethods = allowedMethods }
    public var description: String { "UnsupportedMethod(allowed: \(allowedMethods))" }
}
