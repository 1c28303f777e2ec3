import TwisterProtocols
import TwisterHTTP

/// Receiving the response failed (Twisted's `ResponseFailed`): the head or the body was cut or malformed.
/// `reasons` names what went wrong, innermost cause first (a ``HTTPResponseParseError``, a ``ConnectionError``,
/// a ``ClientTimeoutError``, …).
public struct ResponseFailed: Error, CustomStringConvertible {
    public let reasons: [any Error]
    public init(_ reasons: [any Error]) { self.reasons = reasons }
    public var description: String { "Response failed: " + reasons.map { "\($0)" }.joined(separator: "; ") }
    /// The first reason of type `E`, if any.
    public func reason<E: Error>(_ type: E.Type) -> E? { reasons.lazy.compactMap { $0 as? E }.first }
}
