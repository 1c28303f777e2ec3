import Testing
import Foundation
@testable import TwisterProtocols

@Suite struct ReactorLifecycleTests {
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
            Thread { c.resume(returning: returned.wait(timeout: .now() + 5) == .success) }.start()
        }
        #expect(ok)
        #expect(log.value == ["before-startup", "running", "before-shutdown", "before-shutdown-done",
                              "during-shutdown", "after-shutdown", "run returned"])
        // The loop thread keeps serving after stop.
        let alive = try r.blockingCallFromThread { Deferred.succeed(Reactor.shared.isInReactorThread) }
        #expect(alive)
        #expect(try r.blockingCallFromThread { Deferred.succeed(Reactor.shared.running) } == false)
    }
}
