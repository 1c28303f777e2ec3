import TwisterProtocols
import TwisterHTTP

/// The body of a response arrived whole (Twisted's `ResponseDone`): the reason a body protocol's
/// `connectionLost` receives when nothing is missing.
public struct ResponseDone: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Response body fully received" }
}
