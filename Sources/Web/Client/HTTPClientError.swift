import TwisterProtocols
import TwisterHTTP

/// A failed fetch (Tornado's `HTTPClientError`): `code` is the HTTP status for a non-2xx answer (with the
/// `response`), or 599 for a network error or timeout (with the `underlying` error).
public struct HTTPClientError: Error, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var response: FetchResponse?
    public var underlying: (any Error)?

    public init(code: Int, message: String, response: FetchResponse? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.response = response
        self.underlying = underlying
    }

    public var description: String { "HTTP \(code): \(message)" }
}
