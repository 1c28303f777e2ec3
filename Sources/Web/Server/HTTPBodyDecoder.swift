import TwisterProtocols
import TwisterHTTP

/// Incremental decoder of a request body framed by Content-Length or chunked transfer coding (RFC 9112 §6-7).
///
/// Contract: ``decode(_:_:)`` consumes from the front of the buffer exactly the bytes of this body (never a byte
/// of the next request), hands every decoded piece to `sink` as soon as it is available (partial chunks too), and
/// returns true once the body is complete; the bytes left in the buffer belong to the next request. Scanned but
/// incomplete lines are remembered, never rescanned. Chunked framing is strict: hex sizes only (no sign, no `0x`),
/// at most 15 hex digits, extensions of visible ASCII only, exactly CRLF after the size line and after the data;
/// trailers are read and discarded. Violations throw 400; a body above ``maxBodySize`` throws 413.
struct HTTPBodyDecoder {
    private enum State {
        case identity(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case done
    }
    private var state: State
    private let settings: HTTPServerSettings
    private var scanned = 0
    private var trailerBytes = 0
    /// Decoded bytes so far.
    private(set) var received = 0
    /// The body-size limit: `settings.maxBodySize` unless the channel changed it for this request. Checked
    /// against each chunk size and each piece of a sized body (the channel checks a Content-Length up front).
    var maxBodySize: Int

    init(framing: HTTPBodyFraming, settings: HTTPServerSettings) {
        self.settings = settings
        self.maxBodySize = settings.maxBodySize
        switch framing {
        case .none: state = .done
        case .length(let n): state = .identity(remaining: n)
        case .chunked: state = .chunkSize
        }
    }

    var isDone: Bool { if case .done = state { return true }; return false }

    mutating func decode(_ buffer: inout ByteBuffer, _ sink: (ByteBuffer) -> Void) throws(HTTPParseError) -> Bool {
        while true {
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
                state = remaining - n == 0 ? .done : .identity(remaining: remaining - n)
                if case .identity = state { return false }
            case .chunkSize:
                guard let lf = buffer.firstIndex(of: HTTPBytes.lf, from: scanned) else {
                    scanned = buffer.readableBytes
                    if scanned > settings.maxChunkSizeLineLength { throw .bad("chunk size line too long") }
                    return false
                }
                if lf + 1 > settings.maxChunkSizeLineLength { throw .bad("chunk size line too long") }
                let size = try buffer.withReadable { (raw) throws(HTTPParseError) -> Int in
                    try Self.chunkSize(UnsafeRawBufferPointer(rebasing: raw[0..<lf]))
                }
                buffer.moveReaderIndex(forwardBy: lf + 1)
                scanned = 0
                if size == 0 {
                    state = .trailers
                } else {
                    if size > maxBodySize - received { throw HTTPParseError(413, "request body too large") }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let n = min(remaining, buffer.readableBytes)
                if n == 0 { return false }
                sink(buffer.readSlice(length: n)!)
                received += n
                if remaining - n == 0 { state = .chunkDataEnd } else { state = .chunkData(remaining: remaining - n); return false }
            case .chunkDataEnd:
                guard let a = buffer.byte(atOffset: 0) else { return false }
                if a != HTTPBytes.cr { throw .bad("missing CRLF after chunk data") }
                guard let b = buffer.byte(atOffset: 1) else { return false }
                if b != HTTPBytes.lf { throw .bad("missing CRLF after chunk data") }
                buffer.moveReaderIndex(forwardBy: 2)
                state = .chunkSize
            case .trailers:
                guard let lf = buffer.firstIndex(of: HTTPBytes.lf, from: scanned) else {
                    scanned = buffer.readableBytes
                    if trailerBytes + scanned > settings.maxTrailerSize { throw .bad("trailers too long") }
                    return false
                }
                trailerBytes += lf + 1
                if trailerBytes > settings.maxTrailerSize { throw .bad("trailers too long") }
                let empty = try buffer.withReadable { (raw) throws(HTTPParseError) -> Bool in
                    var end = lf
                    if end > 0 && raw[end - 1] == HTTPBytes.cr { end -= 1 }
                    for i in 0..<end where !HTTPBytes.isFieldValueByte(raw[i]) { throw .bad("bad trailer") }
                    return end == 0
                }
                buffer.moveReaderIndex(forwardBy: lf + 1)
                scanned = 0
                if empty { state = .done; return true }
            }
        }
    }

    /// Parses `1*HEXDIG [ chunk-ext ] CR` (the LF already removed), strictly (``ChunkSizeLine``).
    private static func chunkSize(_ p: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        guard p.count >= 1, p[p.count - 1] == HTTPBytes.cr else { throw .bad("chunk size line must end in CRLF") }
        let line = UnsafeRawBufferPointer(rebasing: p[0..<(p.count - 1)])
        switch ChunkSizeLine.parse(line, strict: true) {
        case .success(let size): return size
        case .failure(.tooLarge): throw HTTPParseError(413, "chunk too large")
        case .failure(.badExtension): throw .bad("bad chunk extension")
        case .failure(.noSize), .failure(.badAfterSize): throw .bad("bad chunk size")
        }
    }
}
