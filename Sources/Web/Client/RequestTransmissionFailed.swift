import TwisterProtocols
import TwisterHTTP

/// Writing the request (its body producer) failed (Twisted's `RequestTransmissionFailed`).
public struct RequestTransmissionFailed: Error, CustomStringConvertible {
    public let reasons: [any Error]
    public init(_ reasons: [any Error]) { self.reasons = reasons }
    public var description: String { "Request transmission failed: " + reasons.map { "\($0)" }.joined(separator: "; ") }
}
