import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation

/// The entity tag of the last body an ``Application`` hashed, kept so that the same bytes answered again (a
/// fixed page, an unchanged JSON document, `Hello, World!`) are compared, not hashed again.
///
/// The tag is exactly Tornado's (the quoted SHA-1 hex of the body, a strong validator): the memo only skips
/// recomputing it when the bytes are equal (`memcmp`, a few instructions per 32 bytes, against about 15 per byte
/// for SHA-1). A different body costs one length comparison (or a `memcmp` up to the first differing byte) more
/// than hashing alone. Bodies above ``maxBody`` are not kept, so the memo holds at most that much.
struct ETagMemo {
    static let maxBody = 64 * 1024
    private var body = ByteBuffer()
    private var etag: String?

    /// The quoted SHA-1 hex of the readable bytes of `buffer`.
    mutating func etag(of buffer: ByteBuffer) -> String {
        if let etag, buffer.readableBytes == body.readableBytes, Self.equal(buffer, body) { return etag }
        let e = buffer.withUnsafeReadableBytes { HashDigest.sha1QuotedHex($0) }
        if buffer.readableBytes <= Self.maxBody {
            body = buffer   // shares the storage (copy-on-write): the handler replaces its buffer once finished
            etag = e
        }
        return e
    }

    private static func equal(_ a: ByteBuffer, _ b: ByteBuffer) -> Bool {
        a.withUnsafeReadableBytes { x in
            b.withUnsafeReadableBytes { y in
                x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
            }
        }
    }
}
