/// One argument of a Redis command: bytes, written from a string, a buffer or a number.
///
/// A string or an integer is kept as it was given and encoded straight into the outgoing bytes when the command
/// is sent: a literal key such as `"user:1"` costs no allocation (``bytes`` converts on demand).
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Value: Sendable {
        case buffer(ByteBuffer)
        case string(String)
        case int(Int64)
    }
    var value: Value

    /// The argument's bytes as sent.
    public var bytes: ByteBuffer {
        get {
            switch value {
            case .buffer(let b): return b
            case .string(let s): return ByteBuffer(string: s)
            case .int(let i): return ByteBuffer(string: String(i))
            }
        }
        set { value = .buffer(newValue) }
    }

    public init(_ bytes: ByteBuffer) { value = .buffer(bytes) }
    public init(_ string: String) { value = .string(string) }
    public init<I: BinaryInteger>(_ int: I) {
        if let i = Int64(exactly: int) { value = .int(i) } else { value = .string(String(int)) }
    }
    /// A double as Redis writes it ("inf", "-inf" for the infinities).
    public init(_ double: Double) {
        value = .string(double == .infinity ? "inf" : double == -.infinity ? "-inf" : String(double))
    }
    public init(stringLiteral s: String) { self.init(s) }
    public init(integerLiteral i: Int) { value = .int(Int64(i)) }

    public var description: String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .buffer(let b): return String(buffer: b)
        }
    }

    public static func == (a: RedisArgument, b: RedisArgument) -> Bool { a.bytes == b.bytes }
    public func hash(into h: inout Hasher) { bytes.hash(into: &h) }

    /// Appends this argument as a RESP bulk string (`$<len>\r\n<bytes>\r\n`).
    func encodeBulk(into out: inout ByteBuffer) {
        switch value {
        case .buffer(let b):
            out.writeRESPHeader(UInt8(ascii: "$"), b.readableBytes)
            out.writeImmutableBuffer(b)
        case .string(let s):
            let done: Void? = s.utf8.withContiguousStorageIfAvailable { u in
                out.writeRESPHeader(UInt8(ascii: "$"), u.count)
                out.writeRaw(UnsafeRawBufferPointer(u))
            }
            if done == nil {
                var copy = s
                copy.withUTF8 { u in
                    out.writeRESPHeader(UInt8(ascii: "$"), u.count)
                    out.writeRaw(UnsafeRawBufferPointer(u))
                }
            }
        case .int(let i):
            out.writeRESPHeader(UInt8(ascii: "$"), ByteBuffer.decimalLength(i))
            out.writeDecimal(i)
        }
        out.writeCRLF()
    }
}

extension RedisArgument {
    /// Appends `args` to `out` as one RESP array of bulk strings (how every command is sent).
    static func encode(_ args: [RedisArgument], into out: inout ByteBuffer) {
        out.writeRESPHeader(UInt8(ascii: "*"), args.count)
        for a in args { a.encodeBulk(into: &out) }
    }

    /// Appends a command of a fixed name (`header` is its pre-encoded `*<n>\r\n$<len>\r\nNAME\r\n`) and arguments.
    static func encode(_ header: StaticString, _ a: RedisArgument, into out: inout ByteBuffer) {
        out.writeRaw(UnsafeRawBufferPointer(start: header.utf8Start, count: header.utf8CodeUnitCount))
        a.encodeBulk(into: &out)
    }
    static func encode(_ header: StaticString, _ a: RedisArgument, _ b: RedisArgument, into out: inout ByteBuffer) {
        out.writeRaw(UnsafeRawBufferPointer(start: header.utf8Start, count: header.utf8CodeUnitCount))
        a.encodeBulk(into: &out)
        b.encodeBulk(into: &out)
    }
}
