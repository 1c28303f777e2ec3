import TwisterProtocols
import TwisterHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Combined Log Format line of a finished request (Twisted's `combinedLogFormatter`).
public enum AccessLog {
    /// `host - - [dd/Mon/yyyy:HH:MM:SS +0000] "METHOD uri proto" code length "referer" "user-agent"`, with quotes,
    /// backslashes, control and non-ASCII bytes in the client-supplied fields escaped as `\xNN`.
    @ReactorActor
    public static func combinedLine(_ request: Request, forwardedFor: Bool = false) -> String {
        var host = "-"
        if forwardedFor, let xff = request.getHeader("X-Forwarded-For") {
            host = String(xff.split(separator: ",").first.map { $0.trimmingSpaces } ?? "-")
        } else if let peer = request.getClientAddress() {
            switch peer { case .ipv4(let h, _), .ipv6(let h, _): host = h; case .unix: host = "-" }
        }
        let length = request.sentLength > 0 ? "\(request.sentLength)" : "-"
        return "\(escape(host)) - - [\(logDate(HTTPDate.now()))] \"\(escape("\(request.method) \(request.uri) \(request.clientproto)"))\" "
            + "\(request.code) \(length) \"\(escape(request.getHeader("Referer") ?? "-"))\" \"\(escape(request.getHeader("User-Agent") ?? "-"))\""
    }

    /// Escapes `"` and `\` with a backslash, and bytes outside printable ASCII as `\xNN`.
    public static func escape(_ s: String) -> String {
        var out = ""
        let hex = Array("0123456789abcdef".unicodeScalars)
        for c in s.utf8 {
            if c == 0x22 || c == 0x5C { out += "\\"; out.unicodeScalars.append(Unicode.Scalar(c)) }
            else if c < 0x20 || c >= 0x7F { out += "\\x"; out.unicodeScalars.append(hex[Int(c >> 4)]); out.unicodeScalars.append(hex[Int(c & 15)]) }
            else { out.unicodeScalars.append(Unicode.Scalar(c)) }
        }
        return out
    }

    static func logDate(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(tm.tm_mday))/\(months[Int(tm.tm_mon)])/\(tm.tm_year + 1900):\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) +0000"
    }
}
