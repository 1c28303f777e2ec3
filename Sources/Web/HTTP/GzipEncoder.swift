import TwisterProtocols

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
