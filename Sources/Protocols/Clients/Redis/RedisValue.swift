/// One Redis reply, RESP2 or RESP3 (every type of the RESP3 spec).
///
/// RESP2's null bulk string (`$-1`) and null array (`*-1`) and RESP3's `_` all decode to ``null``. Simple and
/// bulk errors (`-`, `!`) decode to ``error(_:)``; the client turns a top-level error into a thrown
/// ``RedisError/server(_:)``. Attributes (`|`) are not values: the parser hands them to its caller separately.
public enum RedisValue: Sendable, Hashable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString(ByteBuffer)
    case null
    case array([RedisValue])
    /// RESP3 map, in the order the server sent it.
    case map([RedisPair])
    case set([RedisValue])
    case double(Double)
    case boolean(Bool)
    /// RESP3 big number, as its decimal text.
    case bigNumber(String)
    /// RESP3 verbatim string: a three-letter format ("txt", "mkd") and the text.
    case verbatim(format: String, text: ByteBuffer)
    /// RESP3 out-of-band push (pub/sub messages, invalidations).
    case push([RedisValue])

    /// The bytes of a string-like value (bulk, simple, verbatim, big number), else nil.
    public var bytes: ByteBuffer? {
        switch self {
        case .bulkString(let b): return b
        case .simpleString(let s), .bigNumber(let s): return ByteBuffer(string: s)
        case .verbatim(_, let t): return t
        default: return nil
        }
    }
    /// A string-like value as UTF-8 text, else nil.
    public var string: String? {
        if case .simpleString(let s) = self { return s }
        return bytes.map { String(buffer: $0) }
    }
    /// An integer, or a string holding one (RESP2 sends some numbers as bulk strings).
    public var int: Int64? {
        switch self {
        case .integer(let i): return i
        case .boolean(let b): return b ? 1 : 0
        default: return string.flatMap { Int64($0) }
        }
    }
    /// A double (RESP3 `,`) or a string holding one (RESP2 scores).
    public var double: Double? {
        switch self {
        case .double(let d): return d
        case .integer(let i): return Double(i)
        default: return string.flatMap { Double($0) }
        }
    }
    /// The elements of an array, set or push; a map flattened to key, value, key, value.
    public var array: [RedisValue]? {
        switch self {
        case .array(let a), .set(let a), .push(let a): return a
        case .map(let m): return m.flatMap { [$0.key, $0.value] }
        default: return nil
        }
    }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

extension RedisValue: ExpressibleByStringLiteral {
    /// A bulk string.
    public init(stringLiteral s: String) { self = .bulkString(ByteBuffer(string: s)) }
}
