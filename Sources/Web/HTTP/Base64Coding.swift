import TwisterProtocols

/// Standard base64 (RFC 4648) decoding and encoding, strict about the alphabet.
public enum Base64Coding {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc = 0, bits = 0, pad = 0
        for c in s.utf8 {
            if c == 0x3D { pad += 1; continue }
            if pad > 0 { return nil }
            let v: Int
            switch c {
            case 0x41...0x5A: v = Int(c) - 0x41
            case 0x61...0x7A: v = Int(c) - 0x61 + 26
            case 0x30...0x39: v = Int(c) - 0x30 + 52
            case 0x2B: v = 62
            case 0x2F: v = 63
            default: return nil
            }
            acc = (acc << 6) | v; bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8((acc >> bits) & 0xFF)) }
        }
        if pad > 2 { return nil }
        return out
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var i = 0
        while i + 2 < bytes.count {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            out += [alphabet[n >> 18], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], alphabet[n & 63]]
            i += 3
        }
        if bytes.count - i == 1 {
            let n = Int(bytes[i]) << 16
            out += [alphabet[n >> 18], alphabet[(n >> 12) & 63], 0x3D, 0x3D]
        } else if bytes.count - i == 2 {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8
            out += [alphabet[n >> 18], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], 0x3D]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
