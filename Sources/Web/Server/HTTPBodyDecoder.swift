import TwisterProtocols
import TwisterHTTP

/// Incremental decoder of a request body framed by Content-Length or chunked transfer coding (RFC 9112 §6-7).
///
/// Contract: ``decode(_:_:)`` consumes from the front of the buffer exactly the bytes of this body (never a byte
/// of the next request), hands every decoded piece to `sink` as soon as it is available (partial chunks too), and
/// returns true once the body is complete; the bytes left in the buffer belong to the next request. Scanned but
/// incomplete lines are remembered, never rescanned. Chunked framing is ``ChunkedDecoder`` with the strict policy:
/// hex sizes only (no sign, no `0x`), at most 15 hex digits, extensions of visible ASCII only, exactly CRLF after
/// the size line and after the data; trailers are checked and discarded. Violations throw 400; a body above ``maxBodySize`` throws 413.
struct HTTPBodyDecoder {
    private enum State {
        case identity(remaining: Int)
        case chunked
        case done
    }
    private var state: State
    private var chunked: ChunkedDecoder
    /// Decoded bytes so far.
    private(set) var received = 0
    /// The body-size limit: `settings.maxBodySize` unless the channel changed it for this request. Checked
    /// against each chunk size and each piece of a sized body (the channel checks a Content-Length up front).
    var maxBodySize: Int

    init(framing: HTTPBodyFraming, settings: HTTPServerSettings) {
        self.maxBodySize = settings.maxBodySize
        chunked = ChunkedDecoder(policy: Self.policy(settings))
        switch framing {
        case .none: state = .done
        case .length(let n): state = .identity(remaining: n)
        case .chunked: state = .chunked
        }
    }

    /// The server's chunked policy: strict line endings, trailers checked and discarded.
    private static func policy(_ settings: HTTPServerSettings) -> ChunkedDecoder.Policy {
        ChunkedDecoder.Policy(strict: true, maxSizeLineLength: settings.maxChunkSizeLineLength,
                              maxTrailerLineLength: .max, maxTrailerSize: settings.maxTrailerSize,
                              deliversTrailers: false)
    }

    var isDone: Bool { if case .done = state { return true }; return false }

    mutating func decode(_ buffer: inout ByteBuffer, _ sink: (ByteBuffer) -> Void) throws(HTTPParseError) -> Bool {
        switch state {
        case .done:
            return true
        case .identity(let remaining):
            if remaining == 0 { state = .done; return true }
            let n = min(remaining, buffer.readableBytes)
            if n == 0 { return false }
            if received + n > maxBodySize { throw HTTPParseError(413, "request body too large") }
            sink(buffer.readSlice(length: n)!)
            received += n
            if remaining - n == 0 { state = .done; return true }
            state = .identity(remaining: remaining - n)
            return false
        case .chunked:
            chunked.maxBodySize = maxBodySize
            do {
                while let event = try chunked.next(&buffer) {
                    switch event {
                    case .data(let piece): sink(piece)
                    case .trailer: break
                    case .end: state = .done
                    }
                }
            } catch {
                throw Self.error(error)
            }
            received = chunked.received
            return isDone
        }
    }

    /// The server's answer to each chunked-coding defect: 413 for sizes, 400 for the rest.
    private static func error(_ defect: ChunkedDecoder.Defect) -> HTTPParseError {
        switch defect {
        case .badSize(.tooLarge, _): return HTTPParseError(413, "chunk too large")
        case .badSize(.badExtension, _): return .bad("bad chunk extension")
        case .badSize(.noSize, _), .badSize(.badAfterSize, _): return .bad("bad chunk size")
        case .sizeLineWithoutCR: return .bad("chunk size line must end in CRLF")
        case .sizeLineTooLong: return .bad("chunk size line too long")
        case .chunkTooLarge: return HTTPParseError(413, "request body too large")
        case .missingCRLFAfterData: return .bad("missing CRLF after chunk data")
        case .trailerLineTooLong, .trailersTooLarge: return .bad("trailers too long")
        case .badTrailer: return .bad("bad trailer")
        }
    }
}
