import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// A response header value with CR, LF or another control character (TAB excepted) (Tornado's
/// "Unsafe header value").
public struct UnsafeHeaderValue: Error, CustomStringConvertible, Sendable {
    public let value: String
    public var description: String { "Unsafe header value \(value.debugDescription)" }
}
