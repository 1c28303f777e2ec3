import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Reason phrases as Tornado reports them.
enum TornadoStatus {
    static func reason(_ code: Int) -> String { HTTPStatus.reason(code) }

    /// `reason`, or "Unknown" when it could inject markup or header lines.
    static func sanitizedReason(_ reason: String) -> String {
        for c in reason.utf8 where c < 0x20 || c == 0x7F || c == 0x3C { return "Unknown" }
        return reason
    }
}
