#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small encoders and matchers shared by the memcached and Redis clients: numbers written in decimal and static
/// words compared without going through a String.
extension ByteBuffer {
    /// `\r\n`.
    mutating func writeCRLF() {
        writeWithUnsafeMutableBytes(maxLength: 2) { p in
            p[0] = 13
            p[1] = 10
            return 2
        }
    }

    /// The number of characters of `n` in decimal (with the sign).
    static func decimalLength(_ n: Int64) -> Int {
        var m = n.magnitude
        var len = n < 0 ? 2 : 1
        while m >= 10 { m /= 10; len += 1 }
        return len
    }

    /// Appends `n` in decimal, without going through a String.
    public mutating func writeDecimal(_ n: Int64) {
        if n < 0 { writeByte(UInt8(ascii: "-")) }
        writeDecimal(n.magnitude)
    }

    /// Appends `n` in decimal, without going through a String.
    public mutating func writeDecimal(_ n: UInt64) {
        var len = 1
        var m = n
        while m >= 10 { m /= 10; len += 1 }
        writeWithUnsafeMutableBytes(maxLength: len) { p in
            var m = n
            var i = len - 1
            repeat {
                p[i] = UInt8(truncatingIfNeeded: 48 + m % 10)
                m /= 10
                i -= 1
            } while m > 0
            return len
        }
    }

    /// Appends the UTF-8 bytes of `s` (without a copy of the string when it is stored contiguously).
    mutating func writeUTF8(_ s: String) {
        if s.utf8.withContiguousStorageIfAvailable({ writeRaw(UnsafeRawBufferPointer($0)) }) == nil {
            var copy = s
            copy.withUTF8 { writeRaw(UnsafeRawBufferPointer($0)) }
        }
    }

    /// True when the readable bytes are exactly `s`.
    func equals(_ s: StaticString) -> Bool {
        guard readableBytes == s.utf8CodeUnitCount else { return false }
        return withUnsafeReadableBytes { memcmp($0.baseAddress!, s.utf8Start, s.utf8CodeUnitCount) == 0 }
    }

    /// True when the readable bytes start with `s`.
    func hasPrefix(_ s: StaticString) -> Bool {
        guard readableBytes >= s.utf8CodeUnitCount else { return false }
        return withUnsafeReadableBytes { memcmp($0.baseAddress!, s.utf8Start, s.utf8CodeUnitCount) == 0 }
    }

    /// The decimal number in `offset..<offset+length` (digits only), or nil when empty, not digits or too large.
    func decimal(atOffset offset: Int, length: Int) -> UInt64? {
        guard length > 0, length <= 20, offset >= 0, offset + length <= readableBytes else { return nil }
        return withUnsafeReadableBytes { p in
            var v: UInt64 = 0
            for i in offset..<(offset + length) {
                let c = p[i]
                guard c >= 48 && c <= 57 else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(c - 48))
                if o1 || o2 { return nil }
                v = a
            }
            return v
        }
    }

    /// Appends a RESP header line: the type byte, `count` in decimal, `\r\n`.
    mutating func writeRESPHeader(_ type: UInt8, _ count: Int) {
        writeByte(type)
        writeDecimal(Int64(count))
        writeCRLF()
    }
}
