import Testing
@testable import TwisterTornado
import TwisterWeb

/// SHA-1/256/512 (FIPS 180 examples) and HMAC-SHA256 (RFC 4231) vectors for the pure-Swift digests.
@Suite struct TornadoDigestTests {
    @Test func shaDigestsMatchTheFIPSExamples() {
        #expect(HashDigest.hex(HashDigest.hash(.sha1, Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(HashDigest.hex(HashDigest.hash(.sha256, Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(HashDigest.hex(HashDigest.hash(.sha256, [UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(HashDigest.hex(HashDigest.hash(.sha512, Array("abc".utf8))) ==
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(HashDigest.hex(HashDigest.hash(.sha256, long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(HashDigest.hex(HashDigest.hash(.sha1, long)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // Several full blocks plus a tail (values from Python's hashlib).
        let multi = Array(String(repeating: "0123456789abcdef", count: 13).utf8)
        #expect(HashDigest.hex(HashDigest.hash(.sha1, multi)) == "d22a5476fc29cfa2668540f8fafdfadbb09d5603")
        #expect(HashDigest.hex(HashDigest.hash(.sha512, multi)) ==
            "1cddb64ae1fe8d8389c568b961a1e5dfe9a1b83699d3797207fd746e96984abd0de5f4942ec9c8624fbf709fe8859fbeeee87fa0dab861c7cfaf0f12e25c6c0d")
        #expect(HashDigest.hex(HashDigest.hash(.sha1, [UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test func hmacSHA256MatchesRFC4231() {
        // Test case 1
        #expect(HashDigest.hex(HashDigest.hmac(.sha256, key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // Test case 2
        #expect(HashDigest.hex(HashDigest.hmac(.sha256, key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 6: a key longer than the block size
        #expect(HashDigest.hex(HashDigest.hmac(.sha256, key: [UInt8](repeating: 0xaa, count: 131),
                                       message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        // Test case 2 for SHA-512
        #expect(HashDigest.hex(HashDigest.hmac(.sha512, key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
            == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }
}
