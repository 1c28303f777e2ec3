import TwisterProtocols
import TwisterHTTP

/// The request could not be sent at all: the connection was already closed or busy (Twisted's `RequestNotSent`).
public struct RequestNotSent: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Request not sent: the connection was closed or already busy" }
}
