import TwisterProtocols
import TwisterHTTP

/// The response had no length and ended when the server closed the connection (Twisted's `PotentialDataLoss`):
/// the body is probably whole, but HTTP cannot tell a cut from an end here.
public struct PotentialDataLoss: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Response body ended by connection close (no length given): it may be incomplete" }
}
