import TwisterProtocols

/// Byte classes of RFC 9110/9112 used by the parsers. Pure functions, inlined.
public enum HTTPBytes {
    @inlinable public static var cr: UInt8 { 13 }
    @inlinable public static var lf: UInt8 { 10 }
    @inlinable public static var sp: UInt8 { 32 }
    @inlinable public static var htab: UInt8 { 9 }
    @inlinable public static var colon: UInt8 { 58 }

    /// RFC 9110 `tchar`: the bytes of a token (method, header name): DIGIT, ALPHA and ``!#$%&'*+-.^_`|~``.
    /// The one definition the server's and the client's parsers and writers use: two 64-bit masks, no table
    /// (a static table cost a `swift_once` check per byte).
    @inlinable @inline(__always) public static func isTokenChar(_ c: UInt8) -> Bool {
        let mask: UInt64 = c < 64 ? 0x03ff_6cfa_0000_0000 : 0x57ff_ffff_c7ff_fffe
        return c < 128 && (mask >> UInt64(c & 63)) & 1 != 0
    }

    /// A byte allowed inside a field value: HTAB, SP, VCHAR, obs-text. Not NUL, CR, LF, other controls, DEL.
    @inlinable @inline(__always) public static func isFieldValueByte(_ c: UInt8) -> Bool {
        c == htab || (c >= 0x20 && c != 0x7F)
    }

    /// True when every byte of `p` is a field-value byte (``isFieldValueByte(_:)``): eight bytes at a time (a word
    /// with a byte below 0x20 or a DEL is checked byte by byte, HTAB being allowed).
    @inlinable public static func isFieldValue(_ p: UnsafeRawBufferPointer) -> Bool {
        let n = p.count
        var i = 0
        if let base = p.baseAddress {
            while i + 8 <= n {
                let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let below20 = (x &- 0x2020_2020_2020_2020) & ~x & 0x8080_8080_8080_8080
                let y = x ^ 0x7f7f_7f7f_7f7f_7f7f
                let del = (y &- 0x0101_0101_0101_0101) & ~y & 0x8080_8080_8080_8080
                if below20 | del != 0 { break }
                i += 8
            }
        }
        while i < n {
            if !isFieldValueByte(p[i]) { return false }
            i += 1
        }
        return true
    }

    /// A byte allowed in a request target: visible ASCII and obs-text; no controls, spaces or DEL.
    @inlinable @inline(__always) public static func isTargetByte(_ c: UInt8) -> Bool { c > 0x20 && c != 0x7F }

    /// An ASCII digit.
    @inlinable @inline(__always) public static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    @inlinable @inline(__always) public static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }

    /// ASCII case-insensitive comparison of raw bytes with a lowercase ASCII literal.
    @inlinable @inline(__always) public static func equalsLowercase(_ p: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        guard p.count == lower.utf8CodeUnitCount else { return false }
        let l = lower.utf8Start
        for i in 0..<p.count {
            var c = p[i]
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if c != l[i] { return false }
        }
        return true
    }
}

extension ByteBuffer {
    /// `withUnsafeReadableBytes` with a typed error (`rethrows` would widen it to `any Error`).
    @inlinable @inline(__always)
    public func withReadable<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let r: Result<R, E> = withUnsafeReadableBytes { raw in
            do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }
}
