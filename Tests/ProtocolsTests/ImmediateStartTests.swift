import Testing
@testable import TwisterProtocols
import TwisterTesting

/// The executor trick behind `Deferred { }` on the reactor (Docs/design.md, "Unsafe code" and "Resolved: one
/// global-pool hop per async handler"): the reactor, armed around the creation of the body's task, runs that
/// task's first job synchronously inside `enqueue`. These fail if the runtime stops honouring it (the first job
/// enqueued elsewhere, or run later, or off the reactor thread). No timing, no loop-pass counting.
@Suite struct ImmediateStartTests {
    /// From a reactor callback (no executor job running, like an I/O callback): the body runs before the
    /// initializer returns, on the reactor thread, and is back on it after a timer resumes it.
    @Test @ReactorActor func bodyStartedFromACallbackRunsBeforeTheInitializerReturnsOnTheReactorThread() async throws {
        var log: [String] = []
        let done = Deferred<Void>()
        Reactor.shared.callLater(0) {
            let d = Deferred<Void> {
                log.append("body on reactor: \(Reactor.shared.isInReactorThread)")
                let t = Deferred<Void>()
                Reactor.shared.callLater(0) { t.callback(()) }
                try await t.value
                log.append("resumed on reactor: \(Reactor.shared.isInReactorThread)")
            }
            log.append("initializer returned, armed: \(Reactor.shared.immediateStartArmed)")
            _ = d.chainDeferred(done)
        }
        try await resultOf(done)
        #expect(log == ["body on reactor: true", "initializer returned, armed: false", "resumed on reactor: true"])
    }

    /// From a reactor job (this test's own `@ReactorActor` task): the body runs to completion before the
    /// initializer returns, and the creating task is the current task again afterwards (the nested run restored it).
    @Test @ReactorActor func bodyStartedFromAReactorTaskRunsBeforeTheInitializerReturns() async throws {
        let before = withUnsafeCurrentTask { $0?.hashValue }
        var ranOnReactor = false
        let d = Deferred<Int> { ranOnReactor = Reactor.shared.isInReactorThread; return 1 }
        #expect(ranOnReactor)
        #expect(d.called)
        #expect(withUnsafeCurrentTask { $0?.hashValue } == before)
        #expect(!Reactor.shared.immediateStartArmed)
        #expect(try await d.value == 1)
    }
}
