import Testing
@testable import TwisterTornado
import TwisterWeb

/// Tornado's SignedValueTest (tornado.md §3 items 1–3), with its exact values.
@Suite struct TornadoSignedValueTests {
    let secret: CookieSecret = "It's a secret to everybody"
    let secretDict = CookieSecret(keys: [0: "ajklasdf0ojaisdf", 1: "aslkjasaolwkjsdf"], version: 0)
    let present = 1300000000
    var past: Int { present - 86400 * 32 }
    let v2 = "2|1:0|10:1300000000|3:key|8:dmFsdWU=|3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e152"
    let v1 = "dmFsdWU=|1300000000|31c934969f53e48164c50768b40cbd7e2daaaa4f"

    /// Ports tornado.md §3 item 1.
    @Test func knownValuesMatchTornadoForV1AndV2() {
        #expect(SignedValue.create(secret: secret, name: "key", value: Array("value".utf8), version: 1, now: present) == v1)
        #expect(SignedValue.create(secret: secret, name: "key", value: Array("value".utf8), version: 2, now: present) == v2)
        #expect(SignedValue.create(secret: secret, name: "key", value: Array("value".utf8), now: present) == v2)
        #expect(SignedValue.decode(secret: secret, name: "key", signed: v1, minVersion: 1, now: present) == Array("value".utf8))
        #expect(SignedValue.decode(secret: secret, name: "key", signed: v2, minVersion: 2, now: present) == Array("value".utf8))
        #expect(SignedValue.decode(secret: secret, name: "key", signed: v1, minVersion: 2, now: present) == nil)
    }

    /// Ports tornado.md §3 item 2.
    @Test func aValueSignedForAnotherNameIsRejected() {
        let s = SignedValue.create(secret: secret, name: "key2", value: Array("value".utf8), now: present)
        #expect(SignedValue.decode(secret: secret, name: "key1", signed: s, now: present) == nil)
    }

    /// Ports tornado.md §3 item 2.
    @Test func aValueOlderThan31DaysIsRejected() {
        let s = SignedValue.create(secret: secret, name: "key1", value: Array("value".utf8), now: past)
        #expect(SignedValue.decode(secret: secret, name: "key1", signed: s, now: past) == Array("value".utf8))
        #expect(SignedValue.decode(secret: secret, name: "key1", signed: s, now: present) == nil)
    }

    /// Ports tornado.md §3 item 2.
    @Test func tamperedPayloadsAreRejected() {
        let sig = "3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e152"
        func valid(_ prefix: String) -> Bool {
            SignedValue.decode(secret: secret, name: "key", signed: prefix + sig, now: present) == Array("value".utf8)
        }
        #expect(valid("2|1:0|10:1300000000|3:key|8:dmFsdWU=|"))
        #expect(!valid("2|1:1|10:1300000000|3:key|8:dmFsdWU=|"))
        #expect(!valid("2|1:0|10:130000000|3:key|8:dmFsdWU=|"))
        #expect(!valid("2|1:0|10:1300000000|3:keey|8:dmFsdWU=|"))
    }

    /// Ports tornado.md §3 item 2.
    @Test func tamperedSignaturesAreRejected() {
        let prefix = "2|1:0|10:1300000000|3:key|8:dmFsdWU=|"
        func valid(_ sig: String) -> Bool {
            SignedValue.decode(secret: secret, name: "key", signed: prefix + sig, now: present) == Array("value".utf8)
        }
        #expect(valid("3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e152"))
        #expect(!valid(String(repeating: "0", count: 32)))
        #expect(!valid("4d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e152"))
        #expect(!valid("3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e153"))
        #expect(!valid("3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e15"))
        #expect(!valid("3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e1538"))
    }

    /// Ports tornado.md §3 item 3.
    @Test func nonUTF8BytesRoundTrip() {
        let s = SignedValue.create(secret: secret, name: "key", value: [0xE9], now: present)
        #expect(SignedValue.decode(secret: secret, name: "key", signed: s, now: present) == [0xE9])
    }

    /// Ports tornado.md §3 item 3.
    @Test func keyVersionsSignVerifyAndRotate() {
        let s0 = SignedValue.create(secret: secretDict, name: "key", value: [0xE9], keyVersion: 0, now: present)
        #expect(SignedValue.decode(secret: secretDict, name: "key", signed: s0, now: present) == [0xE9])
        let s1 = SignedValue.create(secret: secretDict, name: "key", value: [0xE9], keyVersion: 1, now: present)
        #expect(SignedValue.decode(secret: secretDict, name: "key", signed: s1, now: present) == [0xE9])
        #expect(SignedValue.keyVersion(of: s1) == 1)
        let without0 = CookieSecret(keys: [1: "aslkjasaolwkjsdf"], version: 1)
        #expect(SignedValue.decode(secret: without0, name: "key", signed: s0, now: present) == nil)
    }

    @Test func malformedValuesDecodeToNilWithoutCrashing() {
        for bad in ["", "|", "2|", "2|x", "2|1:0", "2|99999999999:0|", "2|1:0|10:1300000000|3:key|8:dmFsdWU=", "a|b|c", "|||"] {
            #expect(SignedValue.decode(secret: secret, name: "key", signed: bad, now: present) == nil)
        }
    }
}
