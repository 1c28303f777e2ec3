import TwisterProtocols

/// Byte classes of RFC 9110/9112 used by the parsers. Pure functions, inlined.
package enum HTTPBytes {
    @inlinable package static var cr: UInt8 { 13 }
    @inlinable package static var lf: UInt8 { 10 }
    @inlinable package static var sp: UInt8 { 32 }
    @inlinable package static var htab: UInt8 { 9 }
    @inlinable package static var colon: UInt8 { 58 }

    /// RFC 9110 `tchar`: the bytes of a token (method, header name).
    @inlinable @inline(__always) package static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// A byte allowed inside a field value: HTAB, SP, VCHAR, obs-text. Not NUL, CR, LF, other controls, DEL.
    @inlinable @inline(__always) package static func isFieldValueByte(_ c: UInt8) -> Bool {
        c == htab || (c >= 0x20 && c != 0x7F)
    }

    /// A byte allowed in a request target: visible ASCII and obs-text; no controls, spaces or DEL.
    @inlinable @inline(__always) package static func isTargetByte(_ c: UInt8) -> Bool { c > 0x20 && c != 0x7F }

    /// An ASCII digit.
    @inlinable @inline(__always) package static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    @inlinable @inline(__always) package static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }

    /// ASCII case-insensitive comparison of raw bytes with a lowercase ASCII literal.
    @inlinable @inline(__always) package static func equalsLowercase(_ p: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
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
    package func withReadable<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let r: Result<R, E> = withUnsafeReadableBytes { raw in
            do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }
}
