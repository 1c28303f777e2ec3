import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Percent-coding as Tornado does it: strict UTF-8 decoding (invalid bytes are an error, answered with 400)
/// and Python's `quote`/`quote_plus`/`urlencode`.
enum TornadoURLCoding {
    /// Percent-decodes `s` (and `+` as space when `plusAsSpace`); nil when the bytes are not valid UTF-8.
    static func unquoteStrict(_ s: Substring, plusAsSpace: Bool = false) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        var pending: [UInt8] = []
        while let c = pending.isEmpty ? it.next() : pending.removeFirst() {
            if c == 0x25 {
                guard let a = it.next() else { out.append(c); break }
                guard let h = HTTPBytes.hexValue(a) else { out.append(c); pending = [a]; continue }
                guard let b = it.next() else { out.append(c); out.append(a); break }
                guard let l = HTTPBytes.hexValue(b) else { out.append(c); out.append(a); pending = [b]; continue }
                out.append(UInt8(h << 4 | l))
            } else if plusAsSpace && c == 0x2B {
                out.append(0x20)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Python's `urllib.parse.quote(bytes, safe)`: everything but letters, digits, `_.-~` and `safe` escaped.
    static func quote(_ bytes: some Sequence<UInt8>, safe: String = "/", plus: Bool = false) -> String {
        let safeBytes = Array(safe.utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in bytes {
            switch c {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.append(c)
            case 0x20 where plus: out.append(0x2B)
            default:
                if safeBytes.contains(c) { out.append(c) } else { out += [0x25, hex[Int(c >> 4)], hex[Int(c & 15)]] }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Python's `urlencode(pairs)` (`quote_plus` on names and values).
    static func urlencode(_ pairs: [(String, String)]) -> String {
        pairs.map { quote($0.0.utf8, safe: "", plus: true) + "=" + quote($0.1.utf8, safe: "", plus: true) }.joined(separator: "&")
    }

    /// Parses a query or urlencoded body strictly: nil when a name or value is not valid UTF-8.
    static func parseQuery(_ q: Substring) -> [String: [String]]? {
        var args: [String: [String]] = [:]
        for pair in q.split(whereSeparator: { $0 == "&" || $0 == ";" }) where !pair.isEmpty {
            let key: String?, value: String?
            if let eq = pair.firstIndex(of: "=") {
                key = unquoteStrict(pair[..<eq], plusAsSpace: true)
                value = unquoteStrict(pair[pair.index(after: eq)...], plusAsSpace: true)
            } else {
                key = unquoteStrict(pair, plusAsSpace: true); value = ""
            }
            guard let key, let value else { return nil }
            args[key, default: []].append(value)
        }
        return args
    }
}

extension TornadoURLCoding {
    /// The name/value pairs of a query, in order (lenient decoding).
    static func parsePairs(_ q: Substring) -> [(String, String)] {
        q.split(whereSeparator: { $0 == "&" || $0 == ";" }).compactMap { pair in
            if pair.isEmpty { return nil }
            if let eq = pair.firstIndex(of: "=") {
                return (URLCoding.unquote(pair[..<eq], plusAsSpace: true), URLCoding.unquote(pair[pair.index(after: eq)...], plusAsSpace: true))
            }
            return (URLCoding.unquote(pair, plusAsSpace: true), "")
        }
    }
}
