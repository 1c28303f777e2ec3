import Testing
import Foundation
@testable import TwisterProtocols

/// `run()`/`stop()` of the shared reactor are process-wide: these tests take turns (no other suite calls `run()`).
@Suite(.serialized) struct ReactorLifecycleTests {
    @Test func runFiresStartupAndStopAwaitsBeforeShutdownDeferreds() async throws {
        let r = Reactor.shared
        let log = Locked<[String]>([])
        let returned = DispatchSemaphore(value: 0)
        try r.blockingCallFromThread { () -> Deferred<Void> in
            r.addSystemEventTrigger(.before, .startup) { log.withLock { $0.append("before-startup") } }
            r.addSystemEventTrigger(.before, .shutdown, deferred: {
                log.withLock { $0.append("before-shutdown") }
                let d = Deferred<Void>()
                r.callLater(0.05) { log.withLock { $0.append("before-shutdown-done") }; d.callback(()) }
                return d
            })
            r.addSystemEventTrigger(.during, .shutdown) { log.withLock { $0.append("during-shutdown") } }
            let after = r.addSystemEventTrigger(.after, .shutdown) { log.withLock { $0.append("after-shutdown") } }
            let removed = r.addSystemEventTrigger(.after, .shutdown) { log.withLock { $0.append("removed") } }
            r.removeSystemEventTrigger(removed)
            _ = after
            return Deferred.succeed(())
        }
        r.callWhenRunning {
            log.withLock { $0.append("running") }
            #expect(Reactor.shared.running)
            Reactor.shared.stop()
        }
        Thread {
            r.run(installSignalHandlers: false)
            log.withLock { $0.append("run returned") }
            returned.signal()
        }.start()
        let ok = await withCheckedContinuation { c in
            Thread { c.resume(returning: returned.wait(timeout: .now() + 30) == .success) }.start()
        }
        #expect(ok)
        #expect(log.value == ["before-startup", "running", "before-shutdown", "before-shutdown-done",
                              "during-shutdown", "after-shutdown", "run returned"])
        // The loop thread keeps serving after stop.
        let alive = try r.blockingCallFromThread { Deferred.succeed(Reactor.shared.isInReactorThread) }
        #expect(alive)
        #expect(try r.blockingCallFromThread { Deferred.succeed(Reactor.shared.running) } == false)
    }

    /// Runs the shared reactor from another thread until a `callWhenRunning` call stops it; false if `run()` has
    /// not returned within 30 s.
    func runOneCycle(_ whenRunning: @escaping @Sendable @ReactorActor () -> Void = {}) async -> Bool {
        let r = Reactor.shared
        let returned = DispatchSemaphore(value: 0)
        r.callWhenRunning { whenRunning(); Reactor.shared.stop() }
        Thread {
            r.run(installSignalHandlers: false)
            returned.signal()
        }.start()
        return await withCheckedContinuation { c in
            Thread { c.resume(returning: returned.wait(timeout: .now() + 30) == .success) }.start()
        }
    }

    @Test func aFailingBeforeShutdownTriggerIsReportedAndTheReactorStillStops() async throws {
        struct CleanupFailed: Error {}
        let reported = Locked<[String]>([])
        // The hook is process-wide: keep only this test's error, hand everything else to the previous handler.
        let previous = Locked<DeferredDebug.Handler?>(nil)
        previous.withLock { p in
            p = DeferredDebug.setUnhandledErrorHandler { failure, debug in
                if failure.check(CleanupFailed.self) {
                    reported.withLock { $0.append("\(failure)") }
                } else {
                    previous.withLock { $0 }?(failure, debug)
                }
            }
        }
        defer { if let p = previous.withLock({ $0 }) { DeferredDebug.setUnhandledErrorHandler(p) } }
        let ranDuring = Locked(false)
        try Reactor.shared.blockingCallFromThread { () -> Deferred<Void> in
            Reactor.shared.addSystemEventTrigger(.before, .shutdown, deferred: {
                let d = Deferred<Void>()
                Reactor.shared.callLater(0.01) { d.errback(CleanupFailed()) }
                return d
            })
            Reactor.shared.addSystemEventTrigger(.during, .shutdown) { ranDuring.withLock { $0 = true } }
            return Deferred.succeed(())
        }
        #expect(await runOneCycle())
        #expect(ranDuring.value)
        #expect(reported.value.count == 1, "reports: \(reported.value)")
    }

    /// One rule for startup and shutdown: a trigger fires once, in the first cycle after it was added.
    @Test func triggersFireOnceAcrossRunStopCycles() async throws {
        let log = Locked<[String]>([])
        try Reactor.shared.blockingCallFromThread { () -> Deferred<Void> in
            Reactor.shared.addSystemEventTrigger(.during, .startup) { log.withLock { $0.append("startup 1") } }
            Reactor.shared.addSystemEventTrigger(.before, .shutdown) { log.withLock { $0.append("shutdown 1") } }
            Reactor.shared.addSystemEventTrigger(.after, .shutdown) { log.withLock { $0.append("after shutdown 1") } }
            return Deferred.succeed(())
        }
        #expect(await runOneCycle { log.withLock { $0.append("running 1") } })
        try Reactor.shared.blockingCallFromThread { () -> Deferred<Void> in
            Reactor.shared.addSystemEventTrigger(.before, .shutdown) { log.withLock { $0.append("shutdown 2") } }
            return Deferred.succeed(())
        }
        #expect(await runOneCycle { log.withLock { $0.append("running 2") } })
        #expect(await runOneCycle { log.withLock { $0.append("running 3") } })
        #expect(log.value == ["startup 1", "running 1", "shutdown 1", "after shutdown 1",
                              "running 2", "shutdown 2", "running 3"])
    }
}
