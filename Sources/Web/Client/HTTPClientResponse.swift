import TwisterProtocols
import TwisterHTTP

/// The outcome of ``HTTPClient/fetch(_:raiseError:)`` (Tornado's `HTTPResponse`).
public struct HTTPResponse: Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var headers: HTTPHeaders
    /// The whole body (empty when a `streamingCallback` took it).
    public var body: ByteBuffer
    /// The URL requested.
    public var requestURL: String
    /// The URL that answered, after redirects.
    public var effectiveURL: String
    /// Seconds from the start of `fetch` to the end of the body.
    public var requestTime: Double
    /// Set for a non-2xx response fetched with `raiseError: false`.
    public var error: HTTPClientError? {
        get { errorBox as? HTTPClientError }
        set { errorBox = newValue }
    }
    // Boxed as an existential: HTTPClientError holds an HTTPResponse, and a struct cannot contain itself.
    private var errorBox: (any Error)?

    public init(code: Int, reason: String, headers: HTTPHeaders, body: ByteBuffer, requestURL: String,
                effectiveURL: String, requestTime: Double) {
        self.code = code
        self.reason = reason
        self.headers = headers
        self.body = body
        self.requestURL = requestURL
        self.effectiveURL = effectiveURL
        self.requestTime = requestTime
    }

    /// The body decoded as UTF-8.
    public var text: String { String(buffer: body) }

    /// Throws `error` if set (Tornado's `rethrow`).
    public func rethrow() throws { if let error { throw error } }

    public var description: String { "HTTPResponse(\(code) \(reason), \(body.readableBytes) bytes, \(effectiveURL))" }
}

/// A failed fetch (Tornado's `HTTPClientError`): `code` is the HTTP status for a non-2xx answer (with the
/// `response`), or 599 for a network error or timeout (with the `underlying` error).
public struct HTTPClientError: Error, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var response: HTTPResponse?
    public var underlying: (any Error)?

    public init(code: Int, message: String, response: HTTPResponse? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.response = response
        self.underlying = underlying
    }

    public var description: String { "HTTP \(code): \(message)" }
}
