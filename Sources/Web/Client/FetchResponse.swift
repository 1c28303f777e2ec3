import TwisterProtocols
import TwisterHTTP

/// The outcome of ``HTTPClient/fetch(_:raiseError:)`` (Tornado's `HTTPResponse`).
public struct FetchResponse: Sendable, CustomStringConvertible {
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
    // Boxed as an existential: HTTPClientError holds an FetchResponse, and a struct cannot contain itself.
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

    public var description: String { "FetchResponse(\(code) \(reason), \(body.readableBytes) bytes, \(effectiveURL))" }
}
