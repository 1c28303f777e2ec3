import TwisterProtocols
import TwisterHTTP

/// The chunked transfer coding as the client reads it: ``ChunkedDecoder`` with the lenient policy (a bare LF
/// after a size line or the data, spaces before extensions or at the end, obs-text in extensions; trailer lines
/// handed back and parsed as field lines), its defects told as ``HTTPResponseParseError``s.
extension HTTPResponseParser {
    /// The client's chunked policy: lenient line endings, the size-line limit for size lines, the head's line
    /// limit for trailer lines, trailers delivered.
    static func chunkedPolicy(_ limits: Limits) -> ChunkedDecoder.Policy {
        ChunkedDecoder.Policy(strict: false, maxSizeLineLength: limits.maxChunkSizeLineLength,
                              maxTrailerLineLength: limits.maxLineLength, maxTrailerSize: limits.maxTrailerSize,
                              deliversTrailers: true)
    }

    /// The client's error for each chunked-coding defect.
    func chunkedError(_ defect: ChunkedDecoder.Defect) -> HTTPResponseParseError {
        switch defect {
        case .badSize(let kind, let line):
            let text = line.withUnsafeBytes { Self.snippet($0) }
            switch kind {
            case .tooLarge: return .badChunkSize("too large: " + text)
            case .badExtension: return .badChunkSize("control character in chunk extension")
            case .noSize, .badAfterSize: return .badChunkSize(text)
            }
        case .sizeLineTooLong: return .chunkSizeLineTooLong(limit: limits.maxChunkSizeLineLength)
        case .trailerLineTooLong: return .chunkSizeLineTooLong(limit: limits.maxLineLength)
        case .trailersTooLarge: return .trailersTooLarge(limit: limits.maxTrailerSize)
        case .missingCRLFAfterData: return .missingCRLFAfterChunk
        // Not raised under the client's policy (lenient, no body limit, trailers delivered).
        case .sizeLineWithoutCR: return .badChunkSize("chunk size line without CR")
        case .chunkTooLarge: return .badChunkSize("chunk too large")
        case .badTrailer: return .badTrailer("bad trailer")
        }
    }
}
