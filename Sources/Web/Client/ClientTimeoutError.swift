import TwisterProtocols
import TwisterHTTP

/// One of the client's deadlines passed. The connection involved is aborted.
public struct ClientTimeoutError: Error, Equatable, CustomStringConvertible {
    public enum Phase: String, Sendable {
        /// Connecting took longer than the connect timeout.
        case connect
        /// The request was written but no byte of the response arrived in time.
        case firstByte = "first byte"
        /// The response body stalled: no bytes between two chunks for too long.
        case bodyChunk = "between body chunks"
        /// The whole request (Tornado's `request_timeout`) took too long.
        case request
    }
    public let phase: Phase
    public let seconds: Double
    public init(_ phase: Phase, seconds: Double) { self.phase = phase; self.seconds = seconds }
    public var description: String { "Timeout (\(phase.rawValue)) after \(seconds) seconds" }
}
