import Testing
@testable import TwisterWeb
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

    @Test func sha1QuotedHexIsTheQuotedHexOfSHA1() {
        for n in [0, 1, 13, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let quoted = bytes.withUnsafeBytes { Digest.sha1QuotedHex($0) }
            #expect(quoted == "\"" + Digest.hex(Digest.hash(.sha1, bytes)) + "\"", "length \(n)")
        }
    }

    @Test func etagMemoAnswersTheTagOfTheBytesItIsGiven() {
        var memo = ETagMemo()
        let hello = ByteBuffer(string: "hello")
        #expect(memo.etag(of: hello) == "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"")
        #expect(memo.etag(of: ByteBuffer(string: "hello")) == "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"")
        #expect(memo.etag(of: ByteBuffer(string: "hellp")) == "\"" + Digest.hex(Digest.hash(.sha1, Array("hellp".utf8))) + "\"")
        #expect(memo.etag(of: ByteBuffer()) == "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"")
        #expect(memo.etag(of: hello) == "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"")
    }
}
