import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// `compress_response` (Tornado's `GZipContentEncoding`): decides once, when the head is committed.
extension RequestHandler {
    /// Content types worth compressing besides `text/*`.
    static let compressibleTypes: Set<String> = [
        "application/javascript", "application/x-javascript", "application/xml", "application/atom+xml",
        "application/json", "application/xhtml+xml", "image/svg+xml",
    ]
    /// Bodies sent whole below this size are not compressed.
    static let minimumCompressedLength = 1024

    /// Adds `Vary: Accept-Encoding` (appending to an existing Vary) and, when the client sent `gzip` in
    /// Accept-Encoding, the type is compressible, no Content-Encoding is set and (for a whole body) the body is at
    /// least 1024 bytes, gzips `chunk` (level 6) and keeps the encoder for later chunks.
    func compress(_ chunk: inout ByteBuffer, finishing: Bool) {
        if let vary = headers["Vary"] { headers.set("Vary", vary + ", Accept-Encoding") } else { headers.set("Vary", "Accept-Encoding") }
        guard request.requestHeaders.values("Accept-Encoding").contains(where: { $0.contains("gzip") }) else { return }
        let ctype = headers["Content-Type"].map { String($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces) } ?? ""
        guard ctype.hasPrefix("text/") || Self.compressibleTypes.contains(ctype) else { return }
        guard !finishing || chunk.readableBytes >= Self.minimumCompressedLength else { return }
        guard !headers.contains("Content-Encoding") else { return }
        let e = GzipEncoder(level: 6)
        headers.set("Content-Encoding", "gzip")
        var z = e.encode(chunk)
        if finishing {
            z.writeImmutableBuffer(e.finish())
        } else {
            encoder = e
            headers.remove("Content-Length")
        }
        chunk = z
    }
}
