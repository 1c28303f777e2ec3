import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// The secret(s) that sign cookies: one key, or several by version for rotation (Tornado's `cookie_secret`,
/// either a string or a dict plus `key_version`).
public struct CookieSecret: Sendable, ExpressibleByStringLiteral {
    /// The keys by version. A single secret is stored under version 0.
    public let keys: [Int: [UInt8]]
    /// The version new values are signed with; nil for a single unversioned secret.
    public let currentVersion: Int?

    public init(_ secret: String) { keys = [0: Array(secret.utf8)]; currentVersion = nil }
    public init(stringLiteral value: String) { self.init(value) }
    /// Several keys; values are signed with `keys[version]` and verified with the key they name.
    public init(keys: [Int: String], version: Int) {
        self.keys = keys.mapValues { Array($0.utf8) }
        currentVersion = version
    }
    var isVersioned: Bool { currentVersion != nil }
}

/// Tornado's signed values (`create_signed_value`/`decode_signed_value`), byte for byte.
///
/// - v2 (default): `2|len:keyver|len:timestamp|len:name|len:b64value|hex(HMAC-SHA256(secret, all before, ending in |))`.
/// - v1: `b64value|timestamp|hex(HMAC-SHA1(secret, name + b64value + timestamp))`.
///
/// Decoding returns nil for a wrong name, a bad signature (compared in constant time), a value older than
/// `maxAgeDays`, an unknown key version, a version below `minVersion`, or any malformed field. Pure functions.
public enum SignedValue {
    /// Signs `value` for cookie `name` at `now` (seconds since the epoch).
    public static func create(secret: CookieSecret, name: String, value: [UInt8], version: Int = 2,
                              keyVersion: Int? = nil, now: Int) -> String {
        let timestamp = String(now)
        let b64 = Base64Coding.encode(value)
        if version == 1 {
            let key = secret.keys[keyVersion ?? secret.currentVersion ?? 0] ?? []
            let sig = HashDigest.hex(HashDigest.hmac(.sha1, key: key, message: Array((name + b64 + timestamp).utf8)))
            return "\(b64)|\(timestamp)|\(sig)"
        }
        let kv = keyVersion ?? secret.currentVersion ?? 0
        func field(_ s: String) -> String { "\(s.utf8.count):\(s)" }
        let toSign = ["2", field(String(kv)), field(timestamp), field(name), field(b64), ""]
            .joined(separator: "|")
        let key = (secret.isVersioned ? secret.keys[kv] : secret.keys[0]) ?? []
        return toSign + HashDigest.hex(HashDigest.hmac(.sha256, key: key, message: Array(toSign.utf8)))
    }

    /// The value signed in `signed` for cookie `name`, or nil (see the type's contract).
    public static func decode(secret: CookieSecret, name: String, signed: String, maxAgeDays: Double = 31,
                              minVersion: Int = 1, now: Int) -> [UInt8]? {
        if signed.isEmpty { return nil }
        let version = self.version(of: signed)
        if version < minVersion { return nil }
        switch version {
        case 1: return decodeV1(secret: secret, name: name, signed: signed, maxAgeDays: maxAgeDays, now: now)
        case 2: return decodeV2(secret: secret, name: name, signed: signed, maxAgeDays: maxAgeDays, now: now)
        default: return nil
        }
    }

    /// The key version a v2 value was signed with, or nil for v1 or malformed values.
    public static func keyVersion(of signed: String) -> Int? {
        guard version(of: signed) >= 2, let f = fieldsV2(Array(signed.utf8)) else { return nil }
        return f.keyVersion
    }

    static func version(of value: String) -> Int {
        guard let sep = value.firstIndex(of: "|") else { return 1 }
        let head = value[..<sep]
        guard !head.isEmpty, head.allSatisfy({ $0.isASCIIDigit }), let v = Int(head) else { return 1 }
        return v > 999 ? 1 : v
    }

    private static func decodeV1(secret: CookieSecret, name: String, signed: String, maxAgeDays: Double, now: Int) -> [UInt8]? {
        guard !secret.isVersioned else { return nil }
        let parts = signed.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let expected = HashDigest.hex(HashDigest.hmac(.sha1, key: secret.keys[0] ?? [], message: Array((name + parts[0] + parts[1]).utf8)))
        guard HashDigest.constantTimeEqual(Array(parts[2].utf8), Array(expected.utf8)) else { return nil }
        guard parts[1].allSatisfy({ $0.isASCIIDigit }), let ts = Int(parts[1]) else { return nil }
        if Double(ts) < Double(now) - maxAgeDays * 86400 { return nil }
        if ts > now + 31 * 86400 { return nil }
        if parts[1].hasPrefix("0") { return nil }
        return Base64Coding.decode(String(parts[0]))
    }

    private struct FieldsV2 {
        var keyVersion: Int
        var timestamp: [UInt8]
        var name: [UInt8]
        var value: [UInt8]
        var signature: [UInt8]
    }

    private static func fieldsV2(_ bytes: [UInt8]) -> FieldsV2? {
        guard bytes.count > 2 else { return nil }
        var pos = 2
        func consume() -> [UInt8]? {
            guard let colon = bytes[pos...].firstIndex(of: 0x3A) else { return nil }
            let lengthBytes = bytes[pos..<colon]
            guard !lengthBytes.isEmpty, lengthBytes.count < 10, lengthBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let n = Int(String(decoding: lengthBytes, as: UTF8.self)) else { return nil }
            let start = colon + 1
            guard start + n < bytes.count, bytes[start + n] == 0x7C else { return nil }
            pos = start + n + 1
            return Array(bytes[start..<(start + n)])
        }
        guard let kv = consume(), let ts = consume(), let name = consume(), let value = consume(),
              let keyVersion = Int(String(decoding: kv, as: UTF8.self)) else { return nil }
        return FieldsV2(keyVersion: keyVersion, timestamp: ts, name: name, value: value, signature: Array(bytes[pos...]))
    }

    private static func decodeV2(secret: CookieSecret, name: String, signed: String, maxAgeDays: Double, now: Int) -> [UInt8]? {
        let bytes = Array(signed.utf8)
        guard let f = fieldsV2(bytes) else { return nil }
        let signedPart = bytes[..<(bytes.count - f.signature.count)]
        let key: [UInt8]
        if secret.isVersioned {
            guard let k = secret.keys[f.keyVersion] else { return nil }
            key = k
        } else {
            key = secret.keys[0] ?? []
        }
        let expected = Array(HashDigest.hex(HashDigest.hmac(.sha256, key: key, message: signedPart)).utf8)
        guard HashDigest.constantTimeEqual(f.signature, expected) else { return nil }
        guard f.name == Array(name.utf8) else { return nil }
        guard f.timestamp.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let ts = Int(String(decoding: f.timestamp, as: UTF8.self)) else { return nil }
        if Double(ts) < Double(now) - maxAgeDays * 86400 { return nil }
        return Base64Coding.decode(String(decoding: f.value, as: UTF8.self))
    }
}
