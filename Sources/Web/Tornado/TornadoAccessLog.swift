import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation

/// The level of an access-log line: by status, as in Tornado (`tornado.access`).
public enum AccessLogLevel: String, Sendable {
    /// Below 400.
    case info = "INFO"
    /// 400–499.
    case warning = "WARNING"
    /// 500 and above.
    case error = "ERROR"
}

/// Tornado's access-log line: `<status> <METHOD> <uri> (<ip>) <ms>ms`, e.g. `200 GET /path (127.0.0.1) 1.23ms`.
public enum TornadoAccessLog {
    @ReactorActor
    public static func line(_ handler: RequestHandler) -> String {
        let ms = handler.requestTime * 1000
        return "\(handler.status) \(handler.requestSummary) \(String(format: "%.2f", ms))ms"
    }

    /// A logger writing `[LEVEL tornado.access] line` to standard error, unbuffered (for the commands).
    public static func printer() -> (AccessLogLevel, String) -> Void {
        { level, line in FileHandle.standardError.write(Foundation.Data("[\(level.rawValue) tornado.access] \(line)\n".utf8)) }
    }
}
