import TwisterProtocols

import CZlib

/// Streaming gzip/deflate decompression through the system zlib.
///
/// Contract: `decode` returns the bytes decompressed so far; `finish` throws when the stream did not reach its
/// end (truncated data). Corrupt data throws ``ContentDecodingError``. "deflate" accepts the zlib format
/// (RFC 1950, what the standard says) and falls back to raw deflate (what some servers send).
/// Safe to use from one thread at a time (it owns its z_stream).
package final class ZlibDecoder {
    package enum Format { case gzip, deflate }
    private let stream: UnsafeMutablePointer<z_stream>
    private var initialized = false
    private var ended = false
    private var sawInput = false
    private let format: Format
    private var triedRaw = false
    private var firstBytes: [UInt8] = []

    package init(_ format: Format) throws {
        self.format = format
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        try start(windowBits: format == .gzip ? 15 + 16 : 15)
    }

    private func start(windowBits: Int32) throws {
        if initialized { inflateEnd(stream) }
        stream.pointee = z_stream()
        let rc = inflateInit2_(stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw ContentDecodingError("zlib init failed (\(rc))") }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decompresses `input`, returning the output produced (possibly empty).
    package func decode(_ input: ByteBuffer) throws -> ByteBuffer {
        if ended {
            // Trailing bytes after the end of a gzip member: ignore whitespace-free garbage quietly.
            return ByteBuffer()
        }
        // Until deflate output appears, keep the input so a raw-deflate retry can start from the beginning.
        if format == .deflate && !triedRaw && !sawInput { firstBytes += input.readableBytesView }
        var out = ByteBuffer(capacity: max(input.readableBytes * 3, 1024))
        var bytes = Array(input.readableBytesView)
        do {
            try inflateAll(&bytes, into: &out)
        } catch {
            // Raw deflate fallback: only if the very first bytes were rejected as a zlib header.
            guard format == .deflate, !triedRaw, !sawInput else { throw error }
            triedRaw = true
            try start(windowBits: -15)
            bytes = firstBytes
            out.clear()
            try inflateAll(&bytes, into: &out)
        }
        if out.readableBytes > 0 { sawInput = true; firstBytes = [] }
        return out
    }

    private func inflateAll(_ bytes: inout [UInt8], into out: inout ByteBuffer) throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeMutableBufferPointer { inBuf in
            stream.pointee.next_in = inBuf.baseAddress
            stream.pointee.avail_in = UInt32(inBuf.count)
            while true {
                var rc: Int32 = Z_OK
                _ = out.writeWithUnsafeMutableBytes(maxLength: 16 * 1024) { outBuf in
                    stream.pointee.next_out = outBuf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = UInt32(outBuf.count)
                    rc = inflate(stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.pointee.avail_out)
                }
                if rc == Z_STREAM_END { ended = true; break }
                guard rc == Z_OK || rc == Z_BUF_ERROR else {
                    let msg = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                    throw ContentDecodingError("corrupt \(format == .gzip ? "gzip" : "deflate") data: \(msg)")
                }
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { break }
                if rc == Z_BUF_ERROR && stream.pointee.avail_out > 0 { break }
            }
            stream.pointee.next_in = nil
        }
    }

    /// The input ended: throws if the compressed stream was cut.
    package func finish() throws {
        if !ended { throw ContentDecodingError("\(format == .gzip ? "gzip" : "deflate") stream is truncated") }
    }
}
