import TwisterProtocols
import TwisterHTTP

/// Limits and timeouts of the HTTP/1.1 server channel, with safe defaults.
///
/// Every limit is per request (counters reset when a new request starts). A value type: a ``Site`` holds one and
/// hands a copy to each channel it builds, so changing the Site's settings affects later connections only.
public struct HTTPServerSettings: Sendable {
    /// Maximum bytes of the request line alone; longer gets 414 URI Too Long.
    public var maxRequestLineLength = 8192
    /// Maximum bytes of request line plus header lines (terminators included); more gets 431.
    public var maxHeadSize = 16384
    /// Maximum number of header fields in one request; more gets 431.
    public var maxHeaderCount = 100
    /// Maximum request body size in bytes (declared or received); more gets 413 Content Too Large.
    public var maxBodySize = 64 * 1024 * 1024
    /// Urlencoded and multipart bodies up to this size are parsed into `request.args`/`files`; larger ones are
    /// left in `request.content` for the resource to read (parsing needs the whole body in memory).
    public var maxFormBodySize = 16 * 1024 * 1024
    /// Bodies up to this size stay in memory; larger ones are spilled to an anonymous temporary file.
    public var maxInMemoryBodySize = 100_000
    /// Maximum length of one chunk-size line of a chunked body (size, extensions, CRLF); more gets 400.
    public var maxChunkSizeLineLength = 1024
    /// Maximum bytes of trailer fields after the last chunk; more gets 400.
    public var maxTrailerSize = 64 * 1024
    /// Bytes of pipelined input buffered while a request is being answered before reading is paused.
    public var maxPipelineBuffer = 16 * 1024
    /// Seconds without any input while no request is being handled after which the connection is closed
    /// (Twisted's `timeOut`, 60 s). nil: never.
    public var idleTimeout: Double? = 60
    /// Seconds a client has to send a complete request head once it has started one (slow-loris guard). nil: never.
    public var headerReadTimeout: Double? = 20
    /// Seconds after a close was requested (timeout, error, `Connection: close`) before the connection is aborted
    /// if the peer has not gone away (Twisted's `abortTimeout`, 15 s). nil: never abort.
    public var abortTimeout: Double? = 15
    /// The `Server` header value sent with every response; nil sends none.
    public var serverName: String? = "Twister"

    public init() {}
}
