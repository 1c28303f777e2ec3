import TwisterProtocols
import TwisterHTTP

/// The chunked transfer coding's size line, as the client reads it: ``ChunkSizeLine``, lenient (spaces before
/// extensions or at the end, obs-text in extensions), its defects told as ``HTTPResponseParseError``s.
extension HTTPResponseParser {
    /// The size of a chunk from its size line (`length` bytes at the read index, no terminator).
    func parseChunkSize(_ length: Int) throws(HTTPResponseParseError) -> Int {
        let r: Result<Int, HTTPResponseParseError> = buffer.withUnsafeReadableBytes { p in
            let line = UnsafeRawBufferPointer(rebasing: p[0..<length])
            switch ChunkSizeLine.parse(line, strict: false) {
            case .success(let size): return .success(size)
            case .failure(.tooLarge): return .failure(.badChunkSize("too large: " + Self.snippet(line)))
            case .failure(.badExtension): return .failure(.badChunkSize("control character in chunk extension"))
            case .failure(.noSize), .failure(.badAfterSize): return .failure(.badChunkSize(Self.snippet(line)))
            }
        }
        return try r.get()
    }
}
