import Testing
@testable import TwisterDeferred

/// The assumptions of the async bridge's fast path (AsyncBridge.swift; Docs/design.md, "Unsafe code"): a
/// `Deferred { }` body finds its context through a task-local checked against its own task's address
/// (`unsafeBitCast` of the current task), and awaits a Deferred without a cancellation handler unless its Task
/// was cancelled already.
@Suite struct InlineContextTests {
    @Test func aBodySeesItsContextAndATaskItCreatesDoesNot() async throws {
        let d = Deferred<[Bool]> {
            let own = InlineContext.current != nil
            async let child: Bool = InlineContext.current == nil
            let detached = await Task { InlineContext.current == nil }.value
            return [own, await child, detached]
        }
        #expect(try await d.value == [true, true, true])
        #expect(InlineContext.current == nil)
    }

    @Test func distinctTasksHaveDistinctKeysAndAKeyIsStableAcrossASuspension() async throws {
        let gate = Deferred<Void>()
        let a = Deferred<[Int]> {
            let k1 = InlineContext.currentTaskKey
            try await gate.value
            return [k1, InlineContext.currentTaskKey]
        }
        let b = Deferred<Int> { InlineContext.currentTaskKey }
        gate.callback(())
        let keys = try await a.value
        let other = try await b.value
        #expect(keys[0] != 0)
        #expect(keys[0] == keys[1])
        #expect(other != 0 && other != keys[0])
    }

    /// A body whose Task was cancelled (it awaited something other than a Deferred when its Deferred was
    /// cancelled) and that goes on to await a Deferred has that Deferred cancelled at once, as before the fast
    /// path (which only applies to a Task not cancelled).
    @Test func aBodyWhoseTaskWasCancelledHasTheNextDeferredItAwaitsCancelled() async throws {
        let second = Deferred<Int>()
        let d = Deferred<Int> {
            do { try await Task.sleep(nanoseconds: 60_000_000_000) } catch {}
            return try await second.value
        }
        d.cancel()
        await #expect(throws: CancelledError.self) { try await d.value }
        #expect(second.called)   // cancelled (and its CancelledError taken by the body's await)
    }
}
