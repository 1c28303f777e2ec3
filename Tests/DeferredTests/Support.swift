import Testing
import Synchronization
@testable import TwisterDeferred

struct GenericError: Error, Equatable { var message = "" }
struct OtherError: Error, Equatable {}

/// Captures unhandled-error reports for the duration of `body`.
final class UnhandledRecorder: Sendable {
    let reports = Mutex<[(String, String?)]>([])
    var count: Int { reports.withLock { $0.count } }
    var texts: [String] { reports.withLock { $0.map { $0.0 } } }
    var debugTexts: [String?] { reports.withLock { $0.map { $0.1 } } }
}

/// Serialises the tests that swap the global unhandled-error hook or the debug flag.
let globalHookLock = Mutex<Void>(())

func withUnhandledRecorder(_ body: () -> Void) -> UnhandledRecorder {
    globalHookLock.withLock { _ in
        let rec = UnhandledRecorder()
        let old = DeferredDebug.setUnhandledErrorHandler { f, debug in
            rec.reports.withLock { $0.append(("\(f.error)", debug)) }
        }
        body()
        DeferredDebug.setUnhandledErrorHandler(old)
        return rec
    }
}

/// Lets other jobs run (yielding, then sleeping a millisecond at a time) until `condition` holds or `seconds`
/// pass; returns whether it held. For tests that wait on work resumed elsewhere: a fixed number of yields is
/// not enough when the machine is loaded, and a test that then goes on may wait forever.
func settle(within seconds: Double = 5, isolation: isolated (any Actor)? = #isolation,
            until condition: () -> Bool) async -> Bool {
    for _ in 0..<100 where !condition() { await Task.yield() }
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return true
}
