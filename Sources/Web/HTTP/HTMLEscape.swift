import TwisterProtocols

/// HTML escaping for text placed in error pages, listings and redirects.
public enum HTML {
    /// `&`, `<`, `>`, `"` and `'` replaced by entities.
    public static func escape(_ s: String) -> String {
        var needs = false
        for c in s.utf8 where c == 0x26 || c == 0x3C || c == 0x3E || c == 0x22 || c == 0x27 { needs = true; break }
        if !needs { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#x27;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
