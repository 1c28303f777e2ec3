import TwisterProtocols
import TwisterHTTP

/// `deliverBody` was called a second time on the same response.
public struct BodyAlreadyDelivered: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Response body was already delivered to another protocol" }
}
