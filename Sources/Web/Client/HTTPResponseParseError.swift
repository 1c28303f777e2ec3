import TwisterProtocols
import TwisterHTTP

/// What was wrong with a malformed HTTP response. Every case names the defect; the connection it came on is
/// never reused.
public enum HTTPResponseParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The status line is not `HTTP/x.y NNN reason`.
    case badStatusLine(String)
    /// The version is not HTTP/1.x.
    case unsupportedVersion(String)
    /// The status code is not three digits (100–999).
    case badStatusCode(String)
    /// A line of the head is longer than the limit.
    case lineTooLong(limit: Int)
    /// The whole head (status line and headers) is larger than the limit.
    case headTooLarge(limit: Int)
    /// More header fields than the limit.
    case tooManyHeaders(limit: Int)
    /// A header line has no colon.
    case headerWithoutColon(String)
    /// A header line starts with a colon.
    case emptyHeaderName
    /// Whitespace between a header name and its colon (forbidden: a smuggling vector).
    case whitespaceBeforeColon(String)
    /// A header name holds a character that is not a token character.
    case invalidHeaderName(String)
    /// A header value holds NUL or another control character.
    case invalidHeaderValue(name: String)
    /// A carriage return not followed by a line feed.
    case bareCarriageReturn
    /// A folded (continuation) line with no header before it.
    case continuationWithoutHeader
    /// Content-Length is not a non-negative decimal integer that fits.
    case badContentLength(String)
    /// Several Content-Length values that disagree.
    case conflictingContentLength([String])
    /// Both Content-Length and Transfer-Encoding (a response-splitting vector).
    case contentLengthWithTransferEncoding
    /// A transfer coding other than `chunked` (alone, or last after `identity`).
    case unsupportedTransferEncoding(String)
    /// A chunk-size line that is not hexadecimal (or has a sign, `0x`, or overflows).
    case badChunkSize(String)
    /// A chunk-size line longer than the limit.
    case chunkSizeLineTooLong(limit: Int)
    /// Chunk data not followed by CRLF.
    case missingCRLFAfterChunk
    /// Trailers larger than the limit.
    case trailersTooLarge(limit: Int)
    /// A malformed trailer field.
    case badTrailer(String)
    /// 101 Switching Protocols without a request to switch.
    case unexpectedSwitchingProtocols
    /// The connection ended in the middle of the status line or headers.
    case truncatedHead
    /// The connection ended before the Content-Length body was complete.
    case truncatedBody(expected: Int, received: Int)
    /// The connection ended inside a chunked body.
    case truncatedChunkedBody
    /// Bytes arrived when no response was expected (after a complete response, or before a request).
    case unexpectedData

    public var description: String {
        switch self {
        case .badStatusLine(let s): return "malformed status line: \(s)"
        case .unsupportedVersion(let s): return "unsupported HTTP version: \(s)"
        case .badStatusCode(let s): return "bad status code: \(s)"
        case .lineTooLong(let n): return "header line longer than \(n) bytes"
        case .headTooLarge(let n): return "response head larger than \(n) bytes"
        case .tooManyHeaders(let n): return "more than \(n) header fields"
        case .headerWithoutColon(let s): return "header line without a colon: \(s)"
        case .emptyHeaderName: return "header line with an empty name"
        case .whitespaceBeforeColon(let s): return "whitespace between header name and colon: \(s)"
        case .invalidHeaderName(let s): return "invalid character in header name: \(s)"
        case .invalidHeaderValue(let n): return "invalid character in the value of header \(n)"
        case .bareCarriageReturn: return "carriage return without line feed in the head"
        case .continuationWithoutHeader: return "folded header line with no header before it"
        case .badContentLength(let s): return "bad Content-Length: \(s)"
        case .conflictingContentLength(let v): return "conflicting Content-Length values: \(v.joined(separator: ", "))"
        case .contentLengthWithTransferEncoding: return "both Content-Length and Transfer-Encoding"
        case .unsupportedTransferEncoding(let s): return "unsupported Transfer-Encoding: \(s)"
        case .badChunkSize(let s): return "bad chunk size: \(s)"
        case .chunkSizeLineTooLong(let n): return "chunk size line longer than \(n) bytes"
        case .missingCRLFAfterChunk: return "chunk data not followed by CRLF"
        case .trailersTooLarge(let n): return "trailers larger than \(n) bytes"
        case .badTrailer(let s): return "malformed trailer: \(s)"
        case .unexpectedSwitchingProtocols: return "unexpected 101 Switching Protocols"
        case .truncatedHead: return "connection closed in the middle of the response head"
        case .truncatedBody(let e, let r): return "connection closed after \(r) of \(e) body bytes"
        case .truncatedChunkedBody: return "connection closed in the middle of a chunked body"
        case .unexpectedData: return "data received when no response was expected"
        }
    }
}
