import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

/// Drives a client either against the in-memory fake (pumping bytes by hand) or a real server (awaiting).
@ReactorActor
final class ClientHarness {
    let pump: LoopbackPump?
    init(pump: LoopbackPump?) { self.pump = pump }

    /// The Deferred's result: after pumping (fake), or awaited with a 5 s limit (real server).
    func value<T>(_ d: Deferred<T>, _ what: String = "call") async throws -> T {
        if let pump {
            pump.flush()
            guard d.called else { throw TimeoutError(seconds: 0, what: "\(what) (not fired after pumping)") }
            return try await d.value
        }
        if let clock = (Reactor.shared as AnyObject) as? any ReactorTime {
            return try await d.addTimeout(5, clock: clock).value
        }
        return try await d.value
    }
}

/// "host:port" from an environment variable, or the default.
func serverAddress(_ variable: String, default def: String) -> (host: String, port: Int) {
    let s = ProcessInfo.processInfo.environment[variable] ?? def
    let parts = s.split(separator: ":")
    return (String(parts.first ?? "127.0.0.1"), Int(parts.last ?? "0") ?? 0)
}
