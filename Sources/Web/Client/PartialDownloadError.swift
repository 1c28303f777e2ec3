import TwisterProtocols
import TwisterHTTP

/// `readBody` got a body that ended by connection close without a length (Twisted's `PartialDownloadError`):
/// `body` is what arrived, probably all of it.
public struct PartialDownloadError: Error, CustomStringConvertible {
    public let code: Int
    public let body: ByteBuffer
    public var description: String { "Partial download (status \(code), \(body.readableBytes) bytes, no length)" }
}
