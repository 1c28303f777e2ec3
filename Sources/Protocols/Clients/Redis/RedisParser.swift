/// An incremental RESP2/RESP3 reply parser.
///
/// Contract: ``append(_:)`` adds received bytes; ``next()`` returns the next complete top-level reply, or nil
/// when more bytes are needed, or throws ``RedisError/protocolViolation(_:)`` on bytes that are not RESP (the
/// parser is then unusable: close the connection). Nothing is rescanned: a partial header line is searched only
/// from where the last search stopped, a bulk string waits for its announced length, and the elements of an
/// aggregate already parsed are kept on a stack. Attributes (`|`) are collected and exposed as
/// ``attributes`` alongside the next top-level value. Limits (``maxBulkLength``, ``maxLineLength``,
/// ``maxDepth``) turn hostile input into an error instead of unbounded memory or recursion.
public struct RedisParser: Sendable {
    /// Largest bulk string accepted (Redis's own limit is 512 MiB).
    public var maxBulkLength = 512 * 1024 * 1024
    /// Longest header or simple-string line accepted.
    public var maxLineLength = 16 * 1024 * 1024
    /// Deepest aggregate nesting accepted.
    public var maxDepth = 256
    /// The attributes that preceded the value last returned by ``next()``, if any.
    public private(set) var attributes: [RedisPair]?

    private struct Frame: Sendable {
        var kind: UInt8
        var expected: Int
        var items: [RedisValue]
    }

    private var buffer = ByteBuffer()
    private var scanned = 0
    private var bulk: (kind: UInt8, length: Int)?
    private var stack: [Frame] = []
    private var pendingAttributes: [RedisPair]?

    public init() {}

    /// Bytes received but not yet returned as values.
    public var bufferedBytes: Int { buffer.readableBytes }
    /// True when no value is partially parsed.
    public var isIdle: Bool { buffer.isEmpty && stack.isEmpty && bulk == nil }

    public mutating func append(_ data: ByteBuffer) { buffer.writeImmutableBuffer(data) }

    /// The next complete reply, or nil if more bytes are needed.
    public mutating func next() throws(RedisError) -> RedisValue? {
        while true {
            var value: RedisValue
            if let b = bulk {
                let data: ByteBuffer
                switch buffer.readCRLFBlock(length: b.length) {
                case .needMore: return nil
                case .missingCRLF: throw .protocolViolation("bulk string of \(b.length) bytes is not followed by CRLF")
                case .block(let block): data = block
                }
                bulk = nil
                switch b.kind {
                case UInt8(ascii: "!"): value = .error(String(buffer: data))
                case UInt8(ascii: "="):
                    guard data.readableBytes >= 4, data.byte(atOffset: 3) == UInt8(ascii: ":") else {
                        throw .protocolViolation("verbatim string without a format prefix")
                    }
                    var text = data
                    let format = text.readString(length: 3)!
                    text.moveReaderIndex(forwardBy: 1)
                    value = .verbatim(format: format, text: text)
                default: value = .bulkString(data)
                }
            } else {
                guard let nl = buffer.firstIndex(of: 10, from: scanned) else {
                    scanned = buffer.readableBytes
                    if scanned > maxLineLength { throw .protocolViolation("line longer than \(maxLineLength) bytes") }
                    return nil
                }
                scanned = 0
                guard nl >= 2, buffer.byte(atOffset: nl - 1) == 13 else {
                    throw .protocolViolation("line not ended by CRLF: \(Self.show(buffer, nl))")
                }
                let type = buffer.byte(atOffset: 0)!
                let len = nl - 2
                var consumed = false
                switch type {
                case UInt8(ascii: "+"): value = .simpleString(buffer.string(atOffset: 1, length: len)!)
                case UInt8(ascii: "-"): value = .error(buffer.string(atOffset: 1, length: len)!)
                case UInt8(ascii: ":"):
                    guard let i = Self.parseInt(buffer, 1, len) else { throw .protocolViolation("bad integer \(Self.show(buffer, nl))") }
                    value = .integer(i)
                case UInt8(ascii: "_"):
                    guard len == 0 else { throw .protocolViolation("null with content \(Self.show(buffer, nl))") }
                    value = .null
                case UInt8(ascii: "#"):
                    switch buffer.byte(atOffset: 1) {
                    case UInt8(ascii: "t") where len == 1: value = .boolean(true)
                    case UInt8(ascii: "f") where len == 1: value = .boolean(false)
                    default: throw .protocolViolation("bad boolean \(Self.show(buffer, nl))")
                    }
                case UInt8(ascii: ","):
                    let s = buffer.string(atOffset: 1, length: len)!
                    guard let d = Double(s) else { throw .protocolViolation("bad double \(Self.show(buffer, nl))") }
                    value = .double(d)
                case UInt8(ascii: "("):
                    let s = buffer.string(atOffset: 1, length: len)!
                    let digits = s.hasPrefix("-") || s.hasPrefix("+") ? s.dropFirst() : Substring(s)
                    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                        throw .protocolViolation("bad big number \(Self.show(buffer, nl))")
                    }
                    value = .bigNumber(s)
                case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
                    guard let n = Self.parseInt(buffer, 1, len) else { throw .protocolViolation("bad length \(Self.show(buffer, nl))") }
                    buffer.moveReaderIndex(forwardBy: nl + 1)
                    consumed = true
                    if n == -1 && type == UInt8(ascii: "$") { value = .null; break }
                    guard n >= 0, n <= maxBulkLength else { throw .protocolViolation("bulk length \(n) out of range") }
                    bulk = (type, Int(n))
                    continue
                case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: "%"), UInt8(ascii: ">"), UInt8(ascii: "|"):
                    guard let n = Self.parseInt(buffer, 1, len) else { throw .protocolViolation("bad count \(Self.show(buffer, nl))") }
                    buffer.moveReaderIndex(forwardBy: nl + 1)
                    consumed = true
                    if n == -1 && type == UInt8(ascii: "*") { value = .null; break }
                    guard n >= 0, n <= Int64(Int32.max) else { throw .protocolViolation("aggregate count \(n) out of range") }
                    let pairs = type == UInt8(ascii: "%") || type == UInt8(ascii: "|")
                    if n == 0 {
                        if type == UInt8(ascii: "|") { continue }
                        value = Self.build(type, [])
                        break
                    }
                    guard stack.count < maxDepth else { throw .protocolViolation("nesting deeper than \(maxDepth)") }
                    stack.append(Frame(kind: type, expected: Int(n) * (pairs ? 2 : 1), items: []))
                    continue
                default:
                    throw .protocolViolation("unknown type byte \(Self.show(buffer, nl))")
                }
                if !consumed { buffer.moveReaderIndex(forwardBy: nl + 1) }
            }
            // Attach to the enclosing aggregates, completing them as they fill.
            while true {
                guard !stack.isEmpty else {
                    attributes = pendingAttributes
                    pendingAttributes = nil
                    return value
                }
                stack[stack.count - 1].items.append(value)
                let top = stack[stack.count - 1]
                guard top.items.count == top.expected else { break }
                stack.removeLast()
                if top.kind == UInt8(ascii: "|") {
                    pendingAttributes = Self.pairs(top.items)
                    break
                }
                value = Self.build(top.kind, top.items)
            }
        }
    }

    private static func build(_ kind: UInt8, _ items: [RedisValue]) -> RedisValue {
        switch kind {
        case UInt8(ascii: "~"): return .set(items)
        case UInt8(ascii: "%"): return .map(pairs(items))
        case UInt8(ascii: ">"): return .push(items)
        default: return .array(items)
        }
    }

    private static func pairs(_ items: [RedisValue]) -> [RedisPair] {
        var out: [RedisPair] = []
        out.reserveCapacity(items.count / 2)
        var i = 0
        while i + 1 < items.count { out.append(RedisPair(items[i], items[i + 1])); i += 2 }
        return out
    }

    private static func parseInt(_ b: ByteBuffer, _ at: Int, _ len: Int) -> Int64? {
        guard len > 0, len <= 20 else { return nil }
        var i = at
        var neg = false
        if b.byte(atOffset: i) == UInt8(ascii: "-") { neg = true; i += 1 } else if b.byte(atOffset: i) == UInt8(ascii: "+") { i += 1 }
        guard i < at + len else { return nil }
        var v: Int64 = 0
        while i < at + len {
            let c = b.byte(atOffset: i)!
            guard c >= 48 && c <= 57 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        return neg ? -v : v
    }

    private static func show(_ b: ByteBuffer, _ nl: Int) -> String {
        String(reflecting: b.string(atOffset: 0, length: min(nl + 1, 60)) ?? "")
    }
}
