import TwisterProtocols

/// Percent-encoding and form decoding (RFC 3986, `application/x-www-form-urlencoded`).
public enum URLCoding {
    /// Decodes `%XX` escapes (and `+` as space when `plusAsSpace`); invalid escapes are kept as they are.
    /// Invalid UTF-8 after decoding is repaired with U+FFFD.
    public static func unquote(_ s: Substring, plusAsSpace: Bool = false) -> String {
        let u = s.utf8
        var needs = false
        for c in u where c == 0x25 || (plusAsSpace && c == 0x2B) { needs = true; break }
        if !needs { return String(s) }
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = u.startIndex
        while i < u.endIndex {
            let c = u[i]
            if c == 0x25 {
                let a = u.index(after: i)
                if a < u.endIndex, let h = HTTPBytes.hexValue(u[a]) {
                    let b = u.index(after: a)
                    if b < u.endIndex, let l = HTTPBytes.hexValue(u[b]) {
                        out.append(UInt8(h << 4 | l))
                        i = u.index(after: b)
                        continue
                    }
                }
                out.append(c)
            } else if plusAsSpace && c == 0x2B {
                out.append(0x20)
            } else {
                out.append(c)
            }
            i = u.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func unquote(_ s: String, plusAsSpace: Bool = false) -> String { unquote(Substring(s), plusAsSpace: plusAsSpace) }

    /// Percent-encodes every byte outside the RFC 3986 unreserved set (and `safe`).
    public static func quote(_ s: String, safe: String = "") -> String {
        let safeBytes = Array(safe.utf8)
        var out = ""
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for c in s.utf8 {
            switch c {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(c))
            default:
                if safeBytes.contains(c) { out.unicodeScalars.append(Unicode.Scalar(c)) }
                else { out += "%"; out.unicodeScalars.append(hex[Int(c >> 4)]); out.unicodeScalars.append(hex[Int(c & 15)]) }
            }
        }
        return out
    }

    /// The path segments of a request path (Twisted's postpath): leading `/` removed, split on `/`, each
    /// percent-decoded. `/` gives `[""]`, `/a/` gives `["a", ""]`.
    public static func pathSegments(_ path: String) -> [String] {
        if path == "/" { return rootSegments }
        var p = Substring(path)
        if p.first == "/" { p = p.dropFirst() }
        if p.isEmpty { return [""] }
        return p.split(separator: "/", omittingEmptySubsequences: false).map { unquote($0) }
    }

    /// `[""]`, shared (no allocation for the most common path).
    static let rootSegments = [""]

    /// Parses `a=1&b=2&a=3` into `["a": ["1", "3"], "b": ["2"]]` (Twisted's `parse_qs` with blank values kept).
    public static func parseQuery(_ q: Substring, into args: inout [String: [String]]) {
        for pair in q.split(whereSeparator: { $0 == "&" || $0 == ";" }) {
            if pair.isEmpty { continue }
            let key: String, value: String
            if let eq = pair.firstIndex(of: "=") {
                key = unquote(pair[..<eq], plusAsSpace: true)
                value = unquote(pair[pair.index(after: eq)...], plusAsSpace: true)
            } else {
                key = unquote(pair, plusAsSpace: true); value = ""
            }
            args[key, default: []].append(value)
        }
    }
}
