import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// SHA-1, SHA-256 and SHA-512 (FIPS 180-4) and HMAC (RFC 2104), in pure Swift: CryptoKit is not available on
/// Linux and the library links no OpenSSL. Used for signed cookies (HMAC-SHA256, v1: HMAC-SHA1), ETags (SHA-1)
/// and static-file versions (SHA-512). Checked against the FIPS and RFC 4231 vectors in the tests.
public enum HashDigest {
    /// The algorithms available.
    public enum Algorithm: Sendable { case sha1, sha256, sha512 }

    /// The digest of `bytes`.
    public static func hash(_ algorithm: Algorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
        switch algorithm {
        case .sha1: return sha1(Array(bytes))
        case .sha256: return sha256(Array(bytes))
        case .sha512: return sha512(Array(bytes))
        }
    }

    /// HMAC of `message` under `key`.
    public static func hmac(_ algorithm: Algorithm, key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        let blockSize = algorithm == .sha512 ? 128 : 64
        var k = Array(key)
        if k.count > blockSize { k = hash(algorithm, k) }
        k += [UInt8](repeating: 0, count: blockSize - k.count)
        let inner = hash(algorithm, k.map { $0 ^ 0x36 } + Array(message))
        return hash(algorithm, k.map { $0 ^ 0x5c } + inner)
    }

    /// Lowercase hexadecimal.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares in time independent of where the inputs differ (for signatures).
    public static func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    // MARK: padding

    private static func pad(_ message: [UInt8], blockSize: Int, lengthBytes: Int) -> [UInt8] {
        var m = message
        let bitLength = UInt64(message.count) &* 8
        m.append(0x80)
        while (m.count + lengthBytes) % blockSize != 0 { m.append(0) }
        if lengthBytes == 16 { m += [UInt8](repeating: 0, count: 8) }
        for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        return m
    }

    // MARK: SHA-1

    static func sha1(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBufferPointer { sha1(UnsafeRawBufferPointer($0)) }
    }

    static func sha1(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        let h = sha1State(message)
        var out = [UInt8](repeating: 0, count: 20)
        out.withUnsafeMutableBytes { p in
            for (j, v) in [h.0, h.1, h.2, h.3, h.4].enumerated() { p.storeBytes(of: v.bigEndian, toByteOffset: 4 * j, as: UInt32.self) }
        }
        return out
    }

    /// `"<lowercase hex SHA-1>"`, the entity tag of a body (Tornado's `compute_etag`), built in one allocation
    /// (the string's) from the hash state.
    static func sha1QuotedHex(_ message: UnsafeRawBufferPointer) -> String {
        let h = sha1State(message)
        return String(unsafeUninitializedCapacity: 42) { out in
            let digits: StaticString = "0123456789abcdef"
            let d = digits.utf8Start
            out[0] = 0x22
            @inline(__always) func word(_ v: UInt32, at i: Int) {
                var shift: UInt32 = 28
                for j in 0..<8 { out[i + j] = d[Int((v >> shift) & 15)]; shift &-= 4 }
            }
            word(h.0, at: 1); word(h.1, at: 9); word(h.2, at: 17); word(h.3, at: 25); word(h.4, at: 33)
            out[41] = 0x22
            return 42
        }
    }

    /// The five words of the SHA-1 state after `message` (FIPS 180-4 §6.1), without intermediate arrays or
    /// captured variables (a mutable local captured by the closures below would be boxed and checked on every
    /// access): a 16-word rolling message schedule and the 80 rounds unrolled by five, so that the working
    /// variables rotate by renaming instead of moves (the ETag of every 200 GET goes through here).
    static func sha1State(_ message: UnsafeRawBufferPointer) -> (UInt32, UInt32, UInt32, UInt32, UInt32) {
        let n = message.count
        let total = (n + 9 + 63) / 64 * 64
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { w in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
                var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
                let schedule = w.baseAddress!
                // The last one or two blocks: the message's tail, 0x80, zeros, the bit length.
                let fullBlocks = n / 64
                let tailStart = fullBlocks * 64
                let tailCount = total - tailStart
                let tailRaw = UnsafeMutableRawBufferPointer(tail)
                tailRaw.initializeMemory(as: UInt8.self, repeating: 0)
                if n > tailStart, let base = message.baseAddress {
                    tailRaw.baseAddress!.copyMemory(from: base + tailStart, byteCount: n - tailStart)
                }
                tail[n - tailStart] = 0x80
                tailRaw.storeBytes(of: (UInt64(n) &* 8).bigEndian, toByteOffset: tailCount - 8, as: UInt64.self)
                if let base = message.baseAddress {
                    for blk in 0..<fullBlocks { sha1Block(&h, base + blk * 64, schedule) }
                }
                let tailBase = UnsafeRawPointer(tail.baseAddress!)
                for blk in 0..<(tailCount / 64) { sha1Block(&h, tailBase + blk * 64, schedule) }
                return h
            }
        }
    }

    /// One 64-byte block into the state `h`, with `w` (16 words) as the rolling schedule.
    @inline(__always)
    private static func sha1Block(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32), _ p: UnsafeRawPointer,
                                  _ w: UnsafeMutablePointer<UInt32>) {
        for i in 0..<16 { w[i] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        @inline(__always) func W(_ i: Int) -> UInt32 {
            if i < 16 { return w[i] }
            let v = rotl(w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15], 1)
            w[i & 15] = v
            return v
        }
        // One round: `e` gets the new value, `b` is rotated; the caller renames the variables.
        @inline(__always) func r(_ a: UInt32, _ b: inout UInt32, _ e: inout UInt32, _ f: UInt32, _ kw: UInt32) {
            e = rotl(a, 5) &+ f &+ e &+ kw
            b = rotl(b, 30)
        }
        @inline(__always) func ch(_ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 { d ^ (b & (c ^ d)) }
        @inline(__always) func parity(_ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 { b ^ c ^ d }
        @inline(__always) func maj(_ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 { (b & c) | (d & (b | c)) }
        var a = h.0, b = h.1, c = h.2, d = h.3, e = h.4
        var i = 0
        while i < 20 {
            r(a, &b, &e, ch(b, c, d), 0x5A827999 &+ W(i))
            r(e, &a, &d, ch(a, b, c), 0x5A827999 &+ W(i + 1))
            r(d, &e, &c, ch(e, a, b), 0x5A827999 &+ W(i + 2))
            r(c, &d, &b, ch(d, e, a), 0x5A827999 &+ W(i + 3))
            r(b, &c, &a, ch(c, d, e), 0x5A827999 &+ W(i + 4))
            i += 5
        }
        while i < 40 {
            r(a, &b, &e, parity(b, c, d), 0x6ED9EBA1 &+ W(i))
            r(e, &a, &d, parity(a, b, c), 0x6ED9EBA1 &+ W(i + 1))
            r(d, &e, &c, parity(e, a, b), 0x6ED9EBA1 &+ W(i + 2))
            r(c, &d, &b, parity(d, e, a), 0x6ED9EBA1 &+ W(i + 3))
            r(b, &c, &a, parity(c, d, e), 0x6ED9EBA1 &+ W(i + 4))
            i += 5
        }
        while i < 60 {
            r(a, &b, &e, maj(b, c, d), 0x8F1BBCDC &+ W(i))
            r(e, &a, &d, maj(a, b, c), 0x8F1BBCDC &+ W(i + 1))
            r(d, &e, &c, maj(e, a, b), 0x8F1BBCDC &+ W(i + 2))
            r(c, &d, &b, maj(d, e, a), 0x8F1BBCDC &+ W(i + 3))
            r(b, &c, &a, maj(c, d, e), 0x8F1BBCDC &+ W(i + 4))
            i += 5
        }
        while i < 80 {
            r(a, &b, &e, parity(b, c, d), 0xCA62C1D6 &+ W(i))
            r(e, &a, &d, parity(a, b, c), 0xCA62C1D6 &+ W(i + 1))
            r(d, &e, &c, parity(e, a, b), 0xCA62C1D6 &+ W(i + 2))
            r(c, &d, &b, parity(d, e, a), 0xCA62C1D6 &+ W(i + 3))
            r(b, &c, &a, parity(c, d, e), 0xCA62C1D6 &+ W(i + 4))
            i += 5
        }
        h.0 &+= a; h.1 &+= b; h.2 &+= c; h.3 &+= d; h.4 &+= e
    }

    // MARK: SHA-256

    private static let k256: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func sha256(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        let m = pad(message, blockSize: 64, lengthBytes: 8)
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for i in 0..<16 {
                w[i] = UInt32(m[chunk + 4 * i]) << 24 | UInt32(m[chunk + 4 * i + 1]) << 16
                    | UInt32(m[chunk + 4 * i + 2]) << 8 | UInt32(m[chunk + 4 * i + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k256[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }

    // MARK: SHA-512

    private static let k512: [UInt64] = [
        0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
        0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
        0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
        0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
        0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
        0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
        0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
        0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
        0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
        0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
        0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
        0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
        0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
        0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
        0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
        0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
    ]

    static func sha512(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt64] = [0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                           0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179]
        let m = pad(message, blockSize: 128, lengthBytes: 16)
        var w = [UInt64](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: m.count, by: 128) {
            for i in 0..<16 {
                var v: UInt64 = 0
                for j in 0..<8 { v = v << 8 | UInt64(m[chunk + 8 * i + j]) }
                w[i] = v
            }
            for i in 16..<80 {
                let s0 = rotr64(w[i - 15], 1) ^ rotr64(w[i - 15], 8) ^ (w[i - 15] >> 7)
                let s1 = rotr64(w[i - 2], 19) ^ rotr64(w[i - 2], 61) ^ (w[i - 2] >> 6)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            for i in 0..<80 {
                let s1 = rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k512[i] &+ w[i]
                let s0 = rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
        }
        return h.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) } }
    }

    @inline(__always) private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    @inline(__always) private static func rotr64(_ x: UInt64, _ n: UInt64) -> UInt64 { (x >> n) | (x << (64 - n)) }
}
