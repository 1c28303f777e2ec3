import TwisterProtocols
import TwisterHTTP

/// The connection closed (or failed) after the request was written but before any byte of a response arrived
/// (Twisted's `ResponseNeverReceived`). A pooled request may be retried on a new connection in this case.
public struct ResponseNeverReceived: Error, CustomStringConvertible {
    public let reasons: [any Error]
    public init(_ reasons: [any Error]) { self.reasons = reasons }
    public var description: String { "Response never received: " + reasons.map { "\($0)" }.joined(separator: "; ") }
    /// The first reason of type `E`, if any.
    public func reason<E: Error>(_ type: E.Type) -> E? { reasons.lazy.compactMap { $0 as? E }.first }
}
