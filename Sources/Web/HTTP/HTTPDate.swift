import TwisterProtocols

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// IMF-fixdate formatting and parsing (RFC 9110 §5.6.7); the per-second cache of the `Date` header is ``HTTPDateCache``.
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for `seconds` since the Unix epoch.
    public static func format(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
    }

    /// Seconds since the epoch of an HTTP date in IMF-fixdate, RFC 850 or asctime form; nil when invalid.
    public static func parse(_ s: String) -> Int? {
        let parts = s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        var day: Int?, month: Int?, year: Int?, hms: [Int]?
        for p in parts {
            if p.contains(":") {
                let f = p.split(separator: ":").compactMap { Int($0) }
                if f.count == 3 { hms = f }
            } else if let m = months.firstIndex(of: p) {
                month = m
            } else if let n = Int(p) {
                if day == nil && p.count <= 2 { day = n } else { year = n }
            } else if days.contains(where: { p.hasPrefix($0) }) || p == "GMT" {
                continue
            } else {
                return nil
            }
        }
        guard var y = year, let mo = month, let d = day, let t = hms, (1...31).contains(d),
              (0...23).contains(t[0]), (0...59).contains(t[1]), (0...60).contains(t[2]) else { return nil }
        if y < 100 { y += y < 70 ? 2000 : 1900 }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 1 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 10) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let daysSinceEpoch = era * 146097 + doe - 719468
        return daysSinceEpoch * 86400 + t[0] * 3600 + t[1] * 60 + t[2]
    }

    /// Seconds since the epoch, now (wall clock).
    public static func now() -> Int { Int(time(nil)) }
}
