import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// A cookie name, value or attribute with a forbidden character (Tornado's `CookieError`/`ValueError`).
public struct CookieError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
