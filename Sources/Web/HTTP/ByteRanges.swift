import TwisterProtocols

/// Parsing of `Range: bytes=…` headers (RFC 9110 §14).
public enum ByteRanges {
    /// The satisfiable ranges of `header` for a body of `size` bytes, as closed intervals clamped to the size.
    /// Returns nil when the header is malformed or not in bytes (the Range is then ignored), and an empty array
    /// when every range is unsatisfiable (416).
    public static func parse(_ header: String, size: Int) -> [ClosedRange<Int>]? {
        let h = header.trimmingSpaces
        guard h.lowercased().hasPrefix("bytes=") else { return nil }
        var out: [ClosedRange<Int>] = []
        let specs = h.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false)
        if specs.count > 100 { return nil }
        for spec in specs {
            let s = spec.trimmingSpaces
            guard let dash = s.firstIndex(of: "-") else { return nil }
            let a = s[..<dash], b = s[s.index(after: dash)...]
            if a.isEmpty {
                guard let n = Int(b), n >= 0, b.allSatisfy(\.isASCIIDigit) else { return nil }
                if n == 0 || size == 0 { continue }
                out.append(max(0, size - n)...(size - 1))
            } else {
                guard let start = Int(a), a.allSatisfy(\.isASCIIDigit) else { return nil }
                var end = size - 1
                if !b.isEmpty {
                    guard let e = Int(b), b.allSatisfy(\.isASCIIDigit), e >= start else { return nil }
                    end = min(e, size - 1)
                }
                if start >= size { continue }
                out.append(start...end)
            }
        }
        return out
    }
}

extension Character {
    package var isASCIIDigit: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
