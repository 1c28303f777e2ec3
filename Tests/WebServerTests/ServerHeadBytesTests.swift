import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterProtocols

/// The fast byte checks of the response head and of the ETag agree with their plain definitions.
@Suite struct ServerHeadBytesTests {
    @Test func tokenBitmapMatchesTheTokenCharacters() {
        for c in 0...255 { #expect(Request.isTokenByte(UInt8(c)) == HTTPBytes.isTokenChar(UInt8(c)), "byte \(c)") }
    }

    @Test func wordwiseFieldValueCheckMatchesTheByteCheck() {
        // Every byte at every position of a 17-byte value (two words and a tail), among allowed bytes.
        for c in 0...255 {
            for pos in 0..<17 {
                var bytes = [UInt8](repeating: 0x61, count: 17)
                bytes[pos] = UInt8(c)
                let expected = HTTPBytes.isFieldValueByte(UInt8(c))
                let got = bytes.withUnsafeBytes { Request.validFieldValue($0) }
                #expect(got == expected, "byte \(c) at \(pos)")
            }
        }
        #expect(Request.validFieldValue(UnsafeRawBufferPointer(start: nil, count: 0)))
        let mixed = Array("text/html;\tcharset=ütf-8 \u{7E}".utf8)
        #expect(mixed.withUnsafeBytes { Request.validFieldValue($0) })
    }
}
