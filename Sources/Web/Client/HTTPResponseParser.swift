import TwisterProtocols
import TwisterHTTP

/// An incremental HTTP/1.x response parser: bytes in, events out.
///
/// Contract:
/// - `feed(_:)` appends bytes as they arrive, split anywhere; `next()` returns the next event, or nil when more
///   bytes are needed. Call `next()` until nil after each `feed`. Bytes already scanned are never rescanned.
/// - Events, in order: any number of `.informational` (1xx other than 101), one `.head` with the body's framing,
///   any number of `.body` slices, one `.end` with the trailers (empty unless chunked). After `.end` the parser
///   is complete; bytes beyond the response stay in ``leftover``.
/// - `finish()` tells the parser that the connection ended: it returns `.end` for a read-until-close body, nil
///   when the response was already complete, and throws when the response was cut.
/// - Framing follows RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; chunked (with trailers) when
///   Transfer-Encoding says so; Content-Length; otherwise read until close. Both CRLF and bare LF end lines.
/// - Any malformed input throws an ``HTTPResponseParseError`` naming the defect; after a throw the parser is
///   unusable (the connection must not be reused).
public struct HTTPResponseParser {
    /// Size limits that bound memory per response head.
    public struct Limits: Sendable {
        public var maxLineLength = 16 * 1024
        public var maxHeadSize = 64 * 1024
        public var maxHeaders = 256
        public var maxChunkSizeLineLength = 1024
        public var maxTrailerSize = 16 * 1024
        public init() {}
    }

    /// A parsed status line and header block.
    public struct Head: Sendable {
        public var major: Int
        public var minor: Int
        public var code: Int
        public var reason: String
        public var headers: HTTPHeaders
    }

    /// How the body of a response is delimited.
    public enum Framing: Equatable, Sendable {
        /// No body at all (HEAD, 1xx, 204, 304).
        case none
        /// Exactly this many bytes (Content-Length).
        case length(Int)
        /// Chunked transfer coding.
        case chunked
        /// Everything until the server closes the connection.
        case untilClose
    }

    public enum Event {
        case informational(Head)
        case head(Head, Framing)
        case body(ByteBuffer)
        case end(trailers: HTTPHeaders)
    }

    enum State {
        case statusLine, headers, fixed(Int), untilClose, chunked, done, failed
    }

    public let limits: Limits
    /// True when the request was HEAD: the response has no body whatever its headers say.
    public internal(set) var isHeadRequest: Bool
    var state: State = .statusLine
    var buffer = ByteBuffer()
    /// The chunked body's decoder, set when a chunked head completes.
    var chunked: ChunkedDecoder
    private var scanned = 0
    private var headBytes = 0
    var major = 1, minor = 1, code = 0
    private var reason = ""
    var fields: [(name: String, value: String)] = []
    var contentLength = 0
    /// Facts gathered while the head's fields are parsed, so that the common head needs no second pass over
    /// its fields: how many Content-Length fields (and the value when it is plain digits), whether any
    /// Transfer-Encoding came, and the Connection tokens `close` and `keep-alive`.
    var contentLengthFields = 0
    var plainContentLength: Int?
    var sawTransferEncoding = false
    /// The last head's `Connection` header named `close`.
    var connectionClose = false
    /// The last head's `Connection` header named `keep-alive`.
    var connectionKeepAlive = false
    /// Body bytes delivered so far (after transfer decoding).
    public private(set) var bodyBytesReceived = 0
    /// True once any byte of a response arrived.
    public private(set) var receivedAnything = false

    public init(requestMethod: String = "GET", limits: Limits = Limits()) {
        self.limits = limits
        isHeadRequest = requestMethod == "HEAD"
        chunked = ChunkedDecoder(policy: Self.chunkedPolicy(limits))
    }

    /// True once `.end` was returned.
    /// Makes the parser ready for the response to a new request on the same connection, keeping its buffers'
    /// capacity (a parser per request cost an allocation for every header list's growth). The caller must not
    /// reset with unparsed bytes left over (a connection with leftovers is not reused).
    public mutating func reset(requestMethod: String) {
        isHeadRequest = requestMethod == "HEAD"
        state = .statusLine
        buffer = ByteBuffer()
        scanned = 0
        headBytes = 0
        fields.removeAll(keepingCapacity: true)
        contentLength = 0
        bodyBytesReceived = 0
        receivedAnything = false
    }

    public var isComplete: Bool { if case .done = state { return true } else { return false } }
    /// True while the status line and headers are still being read.
    public var inHead: Bool {
        switch state { case .statusLine, .headers: return true; default: return false }
    }
    /// Bytes after the end of the response (normally none).
    public var leftover: ByteBuffer { buffer }

    /// Appends bytes received from the connection.
    public mutating func feed(_ data: ByteBuffer) {
        guard !data.isEmpty else { return }
        receivedAnything = true
        if buffer.isEmpty { buffer = data } else { buffer.writeImmutableBuffer(data) }
    }

    /// The next event, or nil when more bytes are needed (or the response is complete).
    public mutating func next() throws(HTTPResponseParseError) -> Event? {
        do {
            return try step()
        } catch {
            state = .failed
            throw error
        }
    }

    /// The connection ended. Returns `.end` for a read-until-close body (drain `next()` first), nil if the
    /// response was already complete; throws if the response was cut short.
    public mutating func finish() throws(HTTPResponseParseError) -> Event? {
        switch state {
        case .done, .failed: return nil
        case .untilClose:
            state = .done
            return .end(trailers: HTTPHeaders())
        case .statusLine, .headers: state = .failed; throw .truncatedHead
        case .fixed(let remaining):
            if remaining == 0 { state = .done; return .end(trailers: HTTPHeaders()) }
            state = .failed
            throw .truncatedBody(expected: contentLength, received: contentLength - remaining)
        case .chunked: state = .failed; throw .truncatedChunkedBody
        }
    }

    // MARK: - steps

    private mutating func step() throws(HTTPResponseParseError) -> Event? {
        while true {
            switch state {
            case .statusLine:
                guard let len = try nextLine(limit: limits.maxLineLength) else { return nil }
                if len.content == 0 && headBytes == len.total {
                    // Tolerate blank lines before a status line (RFC 9112 §2.2 lets a recipient ignore them).
                    headBytes = 0
                    buffer.moveReaderIndex(forwardBy: len.total)
                    continue
                }
                try parseStatusLine(len.content)
                buffer.moveReaderIndex(forwardBy: len.total)
                state = .headers
            case .headers:
                guard let len = try nextLine(limit: limits.maxLineLength) else { return nil }
                if len.content == 0 {
                    buffer.moveReaderIndex(forwardBy: len.total)
                    return try headComplete()
                }
                let before = fields.count
                let kind = try parseHeaderLine(len.content)
                if fields.count > limits.maxHeaders { throw .tooManyHeaders(limit: limits.maxHeaders) }
                buffer.moveReaderIndex(forwardBy: len.total)
                if fields.count == before {
                    noteFolded()
                } else if kind != .other {
                    noteField(kind, fields[fields.count - 1].1)
                }
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end(trailers: HTTPHeaders())
                }
                guard !buffer.isEmpty else { return nil }
                let slice = takeBody(upTo: remaining)
                state = .fixed(remaining - slice.readableBytes)
                return .body(slice)
            case .untilClose:
                guard !buffer.isEmpty else { return nil }
                let slice = buffer.readAll()
                bodyBytesReceived += slice.readableBytes
                return .body(slice)
            case .chunked:
                let event: ChunkedDecoder.Event?
                do {
                    event = try chunked.next(&buffer)
                } catch {
                    throw chunkedError(error)
                }
                switch event {
                case nil:
                    return nil
                case .data(let slice)?:
                    bodyBytesReceived += slice.readableBytes
                    return .body(slice)
                case .trailer(let line)?:
                    try parseTrailerLine(line)
                case .end?:
                    state = .done
                    let trailers = HTTPHeaders(parsedFields: fields)
                    fields = []
                    return .end(trailers: trailers)
                }
            case .done, .failed:
                return nil
            }
        }
    }

    private mutating func takeBody(upTo remaining: Int) -> ByteBuffer {
        let slice: ByteBuffer
        if buffer.readableBytes <= remaining {
            slice = buffer.readAll()
        } else {
            slice = buffer.readSlice(length: remaining)!
        }
        bodyBytesReceived += slice.readableBytes
        return slice
    }

    /// Finds the end of the current line of the head. Returns the content length (without CR LF) and the total
    /// length (with the terminator), consuming nothing; nil when the line is incomplete.
    private mutating func nextLine(limit: Int) throws(HTTPResponseParseError) -> (content: Int, total: Int)? {
        guard let nl = buffer.firstIndex(of: 0x0A, from: scanned) else {
            scanned = buffer.readableBytes
            if scanned > limit { throw .lineTooLong(limit: limit) }
            if headBytes + scanned > limits.maxHeadSize { throw .headTooLarge(limit: limits.maxHeadSize) }
            return nil
        }
        scanned = 0
        var content = nl
        if nl > 0 && buffer.byte(atOffset: nl - 1) == 0x0D { content = nl - 1 }
        if content > limit { throw .lineTooLong(limit: limit) }
        headBytes += nl + 1
        if headBytes > limits.maxHeadSize { throw .headTooLarge(limit: limits.maxHeadSize) }
        return (content, nl + 1)
    }

    private mutating func parseStatusLine(_ length: Int) throws(HTTPResponseParseError) {
        let result: Result<(Int, Int, Int, String), HTTPResponseParseError> = buffer.withUnsafeReadableBytes { p in
            let line = UnsafeRawBufferPointer(rebasing: p[0..<length])
            let h: [UInt8] = [72, 84, 84, 80, 47] // "HTTP/"
            guard length >= 5, line[0] == h[0], line[1] == h[1], line[2] == h[2], line[3] == h[3], line[4] == h[4] else {
                return .failure(.badStatusLine(Self.snippet(line)))
            }
            guard length >= 8, Self.isDigit(line[5]), line[6] == 0x2E, Self.isDigit(line[7]) else {
                return .failure(.badStatusLine(Self.snippet(line)))
            }
            let major = Int(line[5] - 48), minor = Int(line[7] - 48)
            guard major == 1 else { return .failure(.unsupportedVersion(Self.snippet(UnsafeRawBufferPointer(rebasing: line[0..<8])))) }
            guard length >= 9, line[8] == 0x20 else { return .failure(.badStatusLine(Self.snippet(line))) }
            guard length >= 12, Self.isDigit(line[9]), Self.isDigit(line[10]), Self.isDigit(line[11]) else {
                return .failure(.badStatusCode(Self.snippet(UnsafeRawBufferPointer(rebasing: line[9...]))))
            }
            let code = Int(line[9] - 48) * 100 + Int(line[10] - 48) * 10 + Int(line[11] - 48)
            guard code >= 100 else { return .failure(.badStatusCode(Self.snippet(UnsafeRawBufferPointer(rebasing: line[9...])))) }
            var reason = ""
            if length > 12 {
                guard line[12] == 0x20 else {
                    return .failure(.badStatusCode(Self.snippet(UnsafeRawBufferPointer(rebasing: line[9...]))))
                }
                let r = UnsafeRawBufferPointer(rebasing: line[13...])
                for b in r where !HTTPBytes.isFieldValueByte(b) {
                    if b == 0x0D { return .failure(.bareCarriageReturn) }
                    return .failure(.badStatusLine("control character in reason phrase"))
                }
                reason = String(decoding: r, as: UTF8.self)
            }
            return .success((major, minor, code, reason))
        }
        switch result {
        case .success(let (ma, mi, c, r)):
            major = ma; minor = mi; code = c; reason = r
            fields.removeAll(keepingCapacity: true)
            contentLengthFields = 0
            plainContentLength = nil
            sawTransferEncoding = false
            connectionClose = false
            connectionKeepAlive = false
        case .failure(let e): throw e
        }
    }

    /// Parses one field line into `fields` (a folded line extends the last one); returns the kind of the field.
    /// Mutating, appending to `self.fields`: a non-mutating method given `&fields` made Swift copy the whole parser
    /// for the call, and the copy's reference to the array made every append copy the fields parsed so far.
    private mutating func parseHeaderLine(_ length: Int) throws(HTTPResponseParseError) -> FieldKind {
        let (result, kind) = buffer.withUnsafeReadableBytes { p in
            Self.fieldLine(UnsafeRawBufferPointer(rebasing: p[0..<length]))
        }
        return try appendField(result, kind)
    }

    /// Parses one trailer line (``ChunkedDecoder/Event/trailer(_:)``) into `fields` as a field line; its defect
    /// is told as ``HTTPResponseParseError/badTrailer(_:)``.
    private mutating func parseTrailerLine(_ line: ByteBuffer) throws(HTTPResponseParseError) {
        let (result, kind) = line.withUnsafeReadableBytes { Self.fieldLine($0) }
        do {
            _ = try appendField(result, kind)
        } catch {
            throw .badTrailer(error.description)
        }
    }

    /// One field line: its name (nil for an obs-fold continuation) and value, and the field's kind.
    private static func fieldLine(_ line: UnsafeRawBufferPointer) -> (Result<(String?, String), HTTPResponseParseError>, FieldKind) {
        var kind = FieldKind.other
        let result = fieldLine(line, kind: &kind)
        return (result, kind)
    }

    private static func fieldLine(_ line: UnsafeRawBufferPointer, kind: inout FieldKind) -> Result<(String?, String), HTTPResponseParseError> {
        let length = line.count
        if line[0] == 0x20 || line[0] == 0x09 {
            // obs-fold: RFC 9112 §5.2 lets a user agent replace it with a space.
            guard let v = Self.trimmedValue(line, from: 0) else { return .failure(.bareCarriageReturn) }
            return v.map { (nil, $0) }
        }
        var colon = -1
        for i in 0..<length where line[i] == 0x3A { colon = i; break }
        guard colon >= 0 else { return .failure(.headerWithoutColon(Self.snippet(line))) }
        guard colon > 0 else { return .failure(.emptyHeaderName) }
        if line[colon - 1] == 0x20 || line[colon - 1] == 0x09 {
            return .failure(.whitespaceBeforeColon(Self.snippet(UnsafeRawBufferPointer(rebasing: line[0..<colon]))))
        }
        let nameBytes = UnsafeRawBufferPointer(rebasing: line[0..<colon])
        for i in 0..<colon where !HTTPBytes.isTokenChar(line[i]) {
            if line[i] == 0x0D { return .failure(.bareCarriageReturn) }
            return .failure(.invalidHeaderName(Self.snippet(UnsafeRawBufferPointer(rebasing: line[0..<colon]))))
        }
        let name = String(decoding: nameBytes, as: UTF8.self)
        kind = Self.fieldKind(nameBytes)
        guard let value = Self.trimmedValue(line, from: colon + 1) else { return .failure(.bareCarriageReturn) }
        switch value {
        case .success(let v): return .success((name, v))
        case .failure: return .failure(.invalidHeaderValue(name: name))
        }
    }

    /// Appends a parsed field line to `fields` (a continuation extends the last field); returns its kind.
    private mutating func appendField(_ result: Result<(String?, String), HTTPResponseParseError>, _ kind: FieldKind) throws(HTTPResponseParseError) -> FieldKind {
        switch result {
        case .success(let (name?, value)):
            fields.append((name, value))
            return kind
        case .success((nil, let value)):
            guard !fields.isEmpty else { throw .continuationWithoutHeader }
            let last = fields.count - 1
            if fields[last].1.isEmpty { fields[last].1 = value } else if !value.isEmpty { fields[last].1 += " " + value }
            return .other
        case .failure(let e):
            throw e
        }
    }

    /// The value after `from`, without surrounding SP/HTAB. nil for a bare CR; `.failure` for other control bytes.
    private static func trimmedValue(_ line: UnsafeRawBufferPointer, from: Int) -> Result<String, HTTPResponseParseError>? {
        var s = from, e = line.count
        while s < e && (line[s] == 0x20 || line[s] == 0x09) { s += 1 }
        while e > s && (line[e - 1] == 0x20 || line[e - 1] == 0x09) { e -= 1 }
        let bytes = UnsafeRawBufferPointer(rebasing: line[s..<e])
        for i in s..<e where !HTTPBytes.isFieldValueByte(line[i]) {
            if line[i] == 0x0D { return nil }
            return .failure(.invalidHeaderValue(name: ""))
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    private mutating func headComplete() throws(HTTPResponseParseError) -> Event {
        // The head's headers take the field list itself (no copy); the next head starts a list of the same size.
        let head = Head(major: major, minor: minor, code: code, reason: reason, headers: HTTPHeaders(parsedFields: fields))
        let count = fields.count
        fields = []
        fields.reserveCapacity(count)
        headBytes = 0
        if code < 200 {
            if code == 101 { throw .unexpectedSwitchingProtocols }
            state = .statusLine
            return .informational(head)
        }
        return try finalHead(head)
    }

    // MARK: byte classes

    // The byte classes are the HTTP module's (``HTTPBytes``), shared with the server's parser.
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { HTTPBytes.isDigit(b) }

    /// Up to 60 bytes of `bytes`, printable, for error messages.
    static func snippet(_ bytes: UnsafeRawBufferPointer) -> String {
        var s = ""
        for b in bytes.prefix(60) {
            if b >= 0x20 && b < 0x7F { s.unicodeScalars.append(Unicode.Scalar(b)) } else { s += "\\x" + String(b, radix: 16) }
        }
        if bytes.count > 60 { s += "…" }
        return s
    }
}
