import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// ETags of a handler's buffered body (Tornado's `compute_etag`, `set_etag_header`, `check_etag_header`).
extension RequestHandler {
    /// Sets the ETag header from ``computeEtag()``.
    public func setEtagHeader() {
        if let e = computeEtag() { headers.set("Etag", e) }
    }

    /// True when the request's `If-None-Match` matches the ETag header: `*`, or any listed tag compared weakly.
    public func checkEtagHeader() -> Bool {
        guard let inm = request.requestHeaders.first("If-None-Match"),
              let computed = headers["Etag"], !computed.isEmpty else { return false }
        let tags = Self.parseEtags(inm)
        guard let first = tags.first else { return false }
        if first == "*" { return true }
        func val(_ s: Substring) -> Substring { s.hasPrefix("W/") ? s.dropFirst(2) : s }
        let mine = val(Substring(computed))
        return tags.contains { val($0) == mine }
    }

    /// Tornado's `\*|(?:W/)?"[^"]*"` scan of an If-None-Match value.
    static func parseEtags(_ s: String) -> [Substring] {
        var out: [Substring] = []
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "*" { out.append(s[i...i]); i = s.index(after: i); continue }
            var start = i
            var j = i
            if s[j...].hasPrefix("W/\"") { j = s.index(j, offsetBy: 2) }
            if j < s.endIndex && s[j] == "\"" {
                if let close = s[s.index(after: j)...].firstIndex(of: "\"") {
                    out.append(s[start...close]); i = s.index(after: close); continue
                }
            }
            start = s.index(after: i)
            i = start
        }
        return out
    }
}
