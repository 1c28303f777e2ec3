/// An incremental parser of memcached text-protocol replies: bytes in, ``MemCacheReply`` values out, no I/O.
///
/// Contract: ``append(_:)`` adds received bytes; ``next()`` returns the next complete reply, nil when more bytes
/// are needed, or throws ``MemCacheError/protocolViolation(_:)`` on bytes that are no memcached reply (the parser
/// is then unusable: close the connection). A reply line ends with `\r\n` (a bare `\n` belongs to the line).
/// `VALUE <key> <flags> <bytes> [<cas>]` is returned once its data block and the `\r\n` after it arrived, as one
/// ``MemCacheReply/value(key:flags:data:cas:)`` whose key and data are slices of the received bytes (no copy).
/// Nothing is rescanned: a partial line is searched only from where the last search stopped. A line longer than
/// ``maxLineLength`` is a violation, so hostile input cannot grow the buffer without bound.
///
/// Which reply answers which request is the client's business (``MemCacheProtocol``): the parser knows only the
/// grammar. A line whose first word is a decimal number is ``MemCacheReply/number(_:)`` (the `incr`/`decr` reply).
public struct MemCacheParser: Sendable {
    /// Longest reply line accepted, without its `\r\n`.
    public var maxLineLength: Int
    /// Largest data block a `VALUE` line may announce.
    public static let maxValueLength = 1 << 30

    private var buffer = ByteBuffer()
    /// True while `buffer` is the caller's buffer itself (taken without copying by ``append(_:)``).
    private var borrowed = false
    /// How far into `buffer` no line end can start (already scanned).
    private var scanned = 0
    /// The `VALUE` line read last, while its data block is awaited.
    private var value: (key: ByteBuffer, flags: UInt32, cas: UInt64?, length: Int)?

    public init(maxLineLength: Int = 16384) { self.maxLineLength = maxLineLength }

    /// Bytes received and not yet returned as replies.
    public var bufferedBytes: Int { buffer.readableBytes }
    /// True when no reply is partially parsed.
    public var isIdle: Bool { buffer.isEmpty && value == nil }

    /// Adds received bytes. When nothing is buffered the parser reads `data` in place (no copy); call
    /// ``keepRemainder()`` before the caller reuses `data`'s storage (the reactor's read buffer).
    @inline(__always)
    public mutating func append(_ data: ByteBuffer) {
        if buffer.isEmpty {
            buffer = data
            borrowed = true
        } else {
            buffer.writeImmutableBuffer(data)
        }
    }

    /// Moves the bytes of an incomplete reply into storage of the parser's own (and drops the reference to the
    /// appended buffer when everything was parsed). Replies already returned keep their slices.
    @inline(__always)
    public mutating func keepRemainder() {
        if buffer.isEmpty {
            buffer = ByteBuffer()
        } else if borrowed {
            buffer = ByteBuffer(bytes: buffer.readableBytesView)
        }
        borrowed = false
    }

    /// The next complete reply, or nil when more bytes are needed.
    public mutating func next() throws(MemCacheError) -> MemCacheReply? {
        while true {
            if let v = value {
                let data: ByteBuffer
                switch buffer.readCRLFBlock(length: v.length) {
                case .needMore: return nil
                case .missingCRLF: throw .protocolViolation("value of \(v.length) bytes is not followed by \\r\\n")
                case .block(let b): data = b
                }
                value = nil
                return .value(key: v.key, flags: v.flags, data: data, cas: v.cas)
            }
            guard let nl = buffer.firstIndex(of: 10, from: scanned) else {
                scanned = buffer.readableBytes
                if scanned > maxLineLength + 1 { throw .protocolViolation("reply line longer than \(maxLineLength) bytes") }
                return nil
            }
            guard nl >= 1, buffer.byte(atOffset: nl - 1) == 13 else {
                // A bare \n belongs to the line; keep looking for \r\n.
                scanned = nl + 1
                continue
            }
            scanned = 0
            if nl - 1 > maxLineLength { throw .protocolViolation("reply line longer than \(maxLineLength) bytes") }
            let line = buffer.readSlice(length: nl - 1)!
            buffer.moveReaderIndex(forwardBy: 2)
            if let reply = try Self.reply(line) { return reply }
            // A VALUE line: its data block follows.
            value = try Self.valueLine(line)
        }
    }

    /// One reply line, by its first word (matched byte by byte); nil for a `VALUE` line.
    private static func reply(_ line: ByteBuffer) throws(MemCacheError) -> MemCacheReply? {
        let n = line.readableBytes
        let end = line.firstIndex(of: UInt8(ascii: " ")) ?? n
        func word(_ w: StaticString) -> Bool { end == w.utf8CodeUnitCount && line.hasPrefix(w) }
        switch line.byte(atOffset: 0) {
        case UInt8(ascii: "V"):
            if word("VALUE") { return nil }
            if word("VERSION") { return .version(rest(line, after: 8)) }
        case UInt8(ascii: "E"):
            if word("END") { return .end }
            if word("EXISTS") { return .exists }
            if word("ERROR") { return .error }
        case UInt8(ascii: "S"):
            if word("STORED") { return .stored }
            if word("STAT") {
                let parts = String(buffer: line).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count >= 2 else { throw .protocolViolation("malformed STAT line \(show(line))") }
                return .stat(name: String(parts[1]), value: parts.count == 3 ? String(parts[2]) : "")
            }
            if word("SERVER_ERROR") { return .serverError(rest(line, after: 13)) }
        case UInt8(ascii: "N"):
            if word("NOT_FOUND") { return .notFound }
            if word("NOT_STORED") { return .notStored }
        case UInt8(ascii: "D"):
            if word("DELETED") { return .deleted }
        case UInt8(ascii: "T"):
            if word("TOUCHED") { return .touched }
        case UInt8(ascii: "O"):
            if word("OK") { return .ok }
        case UInt8(ascii: "C"):
            if word("CLIENT_ERROR") { return .clientError(rest(line, after: 13)) }
        default:
            if let number = line.decimal(atOffset: 0, length: end) { return .number(number) }
        }
        throw .protocolViolation("unexpected reply \(show(line))")
    }

    /// `VALUE <key> <flags> <bytes> [<cas>]`.
    private static func valueLine(_ line: ByteBuffer) throws(MemCacheError) -> (key: ByteBuffer, flags: UInt32, cas: UInt64?, length: Int) {
        let n = line.readableBytes
        var pos = 6  // after "VALUE "
        /// The next space-separated field as (offset, length), or nil at the end of the line.
        func field() -> (at: Int, length: Int)? {
            guard pos < n else { return nil }
            let end = line.firstIndex(of: UInt8(ascii: " "), from: pos) ?? n
            defer { pos = end + 1 }
            return (pos, end - pos)
        }
        guard let k = field(), k.length > 0, let f = field(), let l = field(),
              let flags = line.decimal(atOffset: f.at, length: f.length), flags <= UInt64(UInt32.max),
              let length = line.decimal(atOffset: l.at, length: l.length), length <= UInt64(maxValueLength) else {
            throw .protocolViolation("malformed VALUE line \(show(line))")
        }
        var cas: UInt64?
        if let c = field() {
            guard let id = line.decimal(atOffset: c.at, length: c.length), field() == nil else {
                throw .protocolViolation("malformed CAS id in \(show(line))")
            }
            cas = id
        }
        return (line.slice(atOffset: k.at, length: k.length)!, UInt32(flags), cas, Int(length))
    }

    private static func rest(_ line: ByteBuffer, after n: Int) -> String {
        guard line.readableBytes > n else { return "" }
        return line.string(atOffset: n, length: line.readableBytes - n) ?? ""
    }

    /// A reply line quoted for an error text (at most 80 characters).
    static func show(_ line: ByteBuffer) -> String {
        let s = String(buffer: line)
        return String(reflecting: s.count > 80 ? String(s.prefix(80)) + "…" : s)
    }
}
