/// One argument of a Redis command: bytes, written from a string, a buffer or a number.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringInterpolation, CustomStringConvertible {
    public var bytes: ByteBuffer

    public init(_ bytes: ByteBuffer) { self.bytes = bytes }
    public init(_ string: String) { bytes = ByteBuffer(string: string) }
    public init<I: BinaryInteger>(_ int: I) { bytes = ByteBuffer(string: String(int)) }
    /// A double as Redis writes it ("inf", "-inf" for the infinities).
    public init(_ double: Double) {
        bytes = ByteBuffer(string: double == .infinity ? "inf" : double == -.infinity ? "-inf" : String(double))
    }
    public init(stringLiteral s: String) { self.init(s) }
    public init(integerLiteral i: Int) { self.init(i) }

    public var description: String { String(buffer: bytes) }
}

extension RedisArgument {
    /// Appends `args` to `out` as one RESP array of bulk strings (how every command is sent).
    static func encode(_ args: [RedisArgument], into out: inout ByteBuffer) {
        out.writeByte(UInt8(ascii: "*"))
        out.writeString(String(args.count))
        out.writeBytes([13, 10])
        for a in args {
            out.writeByte(UInt8(ascii: "$"))
            out.writeString(String(a.bytes.readableBytes))
            out.writeBytes([13, 10])
            out.writeBuffer(a.bytes)
            out.writeBytes([13, 10])
        }
    }
}
