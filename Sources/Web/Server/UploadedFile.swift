import TwisterProtocols
import TwisterHTTP

/// A file part of a `multipart/form-data` body.
public struct UploadedFile: Sendable {
    public let name: String
    public let filename: String
    public let contentType: String?
    public let body: ByteBuffer
}
