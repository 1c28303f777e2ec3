import Testing
@testable import TwisterTornado
import TwisterProtocols

/// The ETag of a handler's body is the quoted hex SHA-1 of its bytes.
@Suite struct TornadoETagBytesTests {
    @Test func sha1QuotedHexIsTheQuotedHexOfSHA1() {
        for n in [0, 1, 13, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let quoted = bytes.withUnsafeBytes { HashDigest.sha1QuotedHex($0) }
            #expect(quoted == "\"" + HashDigest.hex(HashDigest.hash(.sha1, bytes)) + "\"", "length \(n)")
        }
    }

    /// (Was the test of the last-body ETag memo, removed: the same values, now hashed every time.)
    @Test func theTagOfABodyIsTheSameEveryTimeItIsAsked() {
        func etag(_ b: ByteBuffer) -> String { b.withUnsafeReadableBytes { HashDigest.sha1QuotedHex($0) } }
        let hello = ByteBuffer(string: "hello")
        #expect(etag(hello) == "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"")
        #expect(etag(ByteBuffer(string: "hello")) == "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"")
        #expect(etag(ByteBuffer(string: "hellp")) == "\"" + HashDigest.hex(HashDigest.hash(.sha1, Array("hellp".utf8))) + "\"")
        #expect(etag(ByteBuffer()) == "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"")
        #expect(etag(hello) == "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"")
    }
}
