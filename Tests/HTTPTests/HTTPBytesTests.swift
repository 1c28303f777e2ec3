import Testing
import TwisterHTTP
import TwisterProtocols

/// The fast byte checks shared by the server and the client agree with their plain definitions.
@Suite struct HTTPBytesTests {
    /// RFC 9110 tchar, spelled out.
    static func plainTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    @Test func tokenBitmapMatchesTheTokenCharacters() {
        for c in 0...255 { #expect(HTTPBytes.isTokenChar(UInt8(c)) == Self.plainTokenChar(UInt8(c)), "byte \(c)") }
    }

    @Test func wordwiseFieldValueCheckMatchesTheByteCheck() {
        // Every byte at every position of a 17-byte value (two words and a tail), among allowed bytes.
        for c in 0...255 {
            for pos in 0..<17 {
                var bytes = [UInt8](repeating: 0x61, count: 17)
                bytes[pos] = UInt8(c)
                let expected = HTTPBytes.isFieldValueByte(UInt8(c))
                let got = bytes.withUnsafeBytes { HTTPBytes.isFieldValue($0) }
                #expect(got == expected, "byte \(c) at \(pos)")
            }
        }
        #expect(HTTPBytes.isFieldValue(UnsafeRawBufferPointer(start: nil, count: 0)))
        let mixed = Array("text/html;\tcharset=ütf-8 \u{7E}".utf8)
        #expect(mixed.withUnsafeBytes { HTTPBytes.isFieldValue($0) })
    }
}
