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
