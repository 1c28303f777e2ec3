import TwisterProtocols
import TwisterHTTP

/// The chunked transfer coding's size line, as the client reads it (tolerant of spaces before extensions).
extension HTTPResponseParser {
    /// The size of a chunk from its size line (`length` bytes at the read index, no terminator): 1 to 15 hex
    /// digits, optional spaces, then nothing or `;`-introduced extensions of field-value bytes (ignored).
    func parseChunkSize(_ length: Int) throws(HTTPResponseParseError) -> Int {
        let r: Result<Int, HTTPResponseParseError> = buffer.withUnsafeReadableBytes { p in
            let line = UnsafeRawBufferPointer(rebasing: p[0..<length])
            var size = 0, digits = 0, i = 0
            while i < length, let d = HTTPBytes.hexValue(line[i]) {
                if digits >= 15 { return .failure(.badChunkSize("too large: " + Self.snippet(line))) }
                size = size * 16 + d
                digits += 1
                i += 1
            }
            guard digits > 0 else { return .failure(.badChunkSize(Self.snippet(line))) }
            while i < length && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
            if i < length {
                // Chunk extensions are ignored, but must be `;`-introduced printable text.
                guard line[i] == 0x3B else { return .failure(.badChunkSize(Self.snippet(line))) }
                for j in i..<length where !HTTPBytes.isFieldValueByte(line[j]) {
                    return .failure(.badChunkSize("control character in chunk extension"))
                }
            }
            return .success(size)
        }
        return try r.get()
    }
}
