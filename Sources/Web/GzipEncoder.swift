import CZlib

/// Incremental gzip compression of a response body (the encoder of Twisted's `GzipEncoderFactory`).
///
/// Contract: `encode` returns the compressed bytes available so far (possibly none); `finish` returns the rest
/// and the gzip trailer. Owns a zlib stream, released at deinit. Not thread-safe.
public final class GzipEncoder {
    private var stream = z_stream()
    private var ok = false

    public init(level: Int32 = 6) {
        let r = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                              ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        ok = r == Z_OK
    }

    deinit { if ok { deflateEnd(&stream) } }

    public func encode(_ data: ByteBuffer) -> ByteBuffer { run(data, flush: Z_NO_FLUSH) }
    public func finish() -> ByteBuffer { run(ByteBuffer(), flush: Z_FINISH) }

    private func run(_ data: ByteBuffer, flush: Int32) -> ByteBuffer {
        guard ok else { return ByteBuffer() }
        var out = ByteBuffer()
        data.withUnsafeReadableBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let cap = max(4096, Int(stream.avail_in) / 2 + 64)
                var r: Int32 = Z_OK
                _ = out.writeWithUnsafeMutableBytes(maxLength: cap) { p in
                    stream.next_out = p.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(cap)
                    r = deflate(&stream, flush)
                    return cap - Int(stream.avail_out)
                }
                if r == Z_STREAM_END || r < 0 { break }
                if stream.avail_in == 0 && stream.avail_out > 0 { break }
            }
            stream.next_in = nil
        }
        return out
    }
}

/// Wraps a resource so that its responses are gzip-compressed when the client accepts gzip (Twisted's
/// `EncodingResourceWrapper(resource, [GzipEncoderFactory()])`).
///
/// Contract: applies when any `Accept-Encoding` header lists `gzip` (tokens compared case-insensitively,
/// spaces and q-values allowed; `gzip;q=0` refuses it). It appends `gzip` to Content-Encoding and sets
/// `Vary: Accept-Encoding`. A body returned whole gets an exact Content-Length; a streamed one is chunked.
/// Children are not wrapped (as in Twisted).
open class EncodingResourceWrapper: Resource {
    public let wrapped: Resource
    /// Bodies smaller than this are sent as they are.
    public var minimumSize = 0

    public init(_ wrapped: Resource) {
        self.wrapped = wrapped
        super.init()
    }

    open override var isLeaf: Bool { wrapped.isLeaf }
    open override var allowedMethods: [String] { wrapped.allowedMethods }
    open override func getChild(_ path: String, _ request: Request) -> Resource { wrapped.getChildWithDefault(path, request) }

    open override func render(_ request: Request) throws -> RenderResult {
        if Self.acceptsGzip(request) { request.installEncoder(GzipEncoder()) }
        return try wrapped.render(request)
    }

    /// True when an Accept-Encoding header lists gzip with a non-zero q-value.
    public static func acceptsGzip(_ request: Request) -> Bool {
        for header in request.requestHeaders.values("Accept-Encoding") {
            for item in header.split(separator: ",") {
                let parts = item.split(separator: ";")
                guard let coding = parts.first?.trimmingSpaces, HTTPHeaders.equalsIgnoringCase(coding, "gzip") else { continue }
                for p in parts.dropFirst() {
                    let kv = p.trimmingSpaces
                    if kv.hasPrefix("q="), let q = Double(kv.dropFirst(2)), q == 0 { return false }
                }
                return true
            }
        }
        return false
    }
}
