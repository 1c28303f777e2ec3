import TwisterProtocols
import TwisterHTTP

/// A request for ``HTTPClient/fetch(_:raiseError:)`` (Tornado's `HTTPRequest`), with Tornado's defaults.
public struct FetchRequest {
    public var url: String
    public var method: String
    public var headers: HTTPHeaders
    /// The body, sent with Content-Length. Use `bodyProducer` to stream one instead.
    public var body: ByteBuffer?
    public var bodyProducer: (@ReactorActor () -> any BodyProducer)?
    /// Seconds to connect (Tornado: 20).
    public var connectTimeout: Double? = 20
    /// Seconds for the whole request, body included (Tornado: 20).
    public var requestTimeout: Double? = 20
    public var followRedirects = true
    public var maxRedirects = 5
    /// Ask for gzip/deflate and decode it (Tornado: true).
    public var decompressResponse = true
    /// Send `Expect: 100-continue` with a body.
    public var expect100Continue = false
    /// Called with each body slice as it arrives; the response's `body` then stays empty.
    public var streamingCallback: (@ReactorActor (ByteBuffer) -> Void)?
    /// Called with each raw header line of the final response: the status line, every header line and the
    /// blank line, each ending in CRLF.
    public var headerCallback: (@ReactorActor (String) -> Void)?

    public init(_ url: String, method: String = "GET", headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}
