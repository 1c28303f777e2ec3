import TwisterProtocols

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `Date: …\r\n` header line, formatted at most once per second (reactor thread only).
@ReactorActor
package enum HTTPDateCache {
    // Unchecked (Docs/internals/design.md, "No dynamic exclusivity checks"): read on every response, on the reactor thread
    // only, in accesses that call nothing.
    @exclusivity(unchecked) private static var second = -1
    @exclusivity(unchecked) private static var line: [UInt8] = []

    package static func dateLine() -> [UInt8] {
        let now = HTTPDate.now()
        if now != second {
            second = now
            line = Array("Date: \(HTTPDate.format(now))\r\n".utf8)
        }
        return line
    }
}
