import Synchronization
import Testing
@testable import TwisterDeferred

struct UntranslatedError: Error {}
struct TranslatedError: Error {}
struct DontFail: Error { let actual: Int }

/// Section 2 of twisted-deferred.md, cases 69-83 (coroutines, inlineCallbacks) as the async/await bridge,
/// plus the issue's bridge checks. Run on the main actor: no reactor needed.
@Suite @MainActor struct AsyncBridgeTests {
    @Test func case69_asyncBodyResultFiresTheDeferred() async throws {
        let d = Deferred<Int> { 42 }
        #expect(d.called)
        #expect(try await d.value == 42)
        let e = Deferred<Int>()
        #expect(ensureDeferred(e).isSame(e))
    }

    @Test func case70_bodyAwaitingClockDrivenDeferredsResumesOnlyWhenTheyFire() async throws {
        let clock = Clock()
        var steps: [String] = []
        let d = Deferred<String> {
            steps.append("start")
            _ = try await deferLater(clock, 1).value
            steps.append("one")
            _ = try await deferLater(clock, 1).value
            steps.append("two")
            return "done"
        }
        #expect(steps == ["start"])
        clock.advance(1)
        // The body resumes on this actor in a later job; going on before it awaits the second deferLater
        // would schedule that one after the clock's last advance and wait forever.
        guard await settle(until: { steps == ["start", "one"] }) else {
            Issue.record("the body did not resume after the first advance: \(steps)"); return
        }
        #expect(!d.called)
        clock.advance(1)
        #expect(try await d.value == "done")
        #expect(steps == ["start", "one", "two"])
    }

    @Test func case71_awaitingPausedChainedAndFailedDeferreds() async throws {
        let inner = Deferred<String>()
        let outer = Deferred<Void>()
        let chained = outer.addDeferredCallback { _ in inner }
        outer.callback(())
        chained.pause()
        Task { @MainActor in
            inner.callback("bye")
            chained.unpause()
        }
        #expect(try await chained.value == "bye")
        await #expect(throws: InvalidArgumentError.self) {
            try await Deferred<Int>.fail(InvalidArgumentError("v")).value
        }
    }

    @Test func case72_inlineCallbacksBasics() async throws {
        let pending = Deferred<String>()
        let failing = Deferred<Int>()
        var caught = false
        let d = Deferred<String> {
            let hi = try await pending.value
            #expect(hi == "hi")
            do { _ = try await failing.value } catch is GenericError { caught = true }
            return "WOOSH"
        }
        pending.callback("hi")
        failing.errback(GenericError())
        #expect(try await d.value == "WOOSH")
        #expect(caught)
        let nothing = Deferred<Void> {}
        #expect(nothing.called)
        let throwing = Deferred<Int> { throw GenericError(message: "p") }
        #expect(throwing.called)
        await #expect(throws: GenericError.self) { try await throwing.value }
    }

    @Test func case73_100000SynchronousAwaitsComplete() async throws {
        let d = Deferred<Int> {
            var total = 0
            for _ in 0..<100_000 { total += try await Deferred.succeed(1).value }
            return total
        }
        #expect(d.called)
        #expect(try await d.value == 100_000)
    }

    @Test func case74_throwBeforeFirstAwaitGivesAFailedDeferredNotAThrow() async {
        let d = Deferred<Int> { throw GenericError(message: "early") }
        #expect(d.called)
        var seen: String?
        d.addErrback { f in seen = f.value(as: GenericError.self)?.message; return 0 }
        #expect(seen == "early")
    }

    @Test func case75_stackedBodiesRunInOrder() async throws {
        var log: [String] = []
        let gate = Deferred<Int>()
        func f1() -> Deferred<Int> { Deferred { log.append("f1"); let v = try await gate.value; log.append("f1x"); return v + 1 } }
        func f2() -> Deferred<Int> { Deferred { log.append("f2"); let v = try await f1().value; log.append("f2x"); return v * 2 } }
        func f3() -> Deferred<Int> { Deferred { log.append("f3"); let v = try await f2().value; log.append("f3x"); return v + 2 } }
        let d = f3()
        gate.callback(2)
        #expect(try await d.value == 8)
        #expect(log == ["f3", "f2", "f1", "f1x", "f2x", "f3x"])
    }

    @Test func case76_awaitingADeferredWithAnAddedCallback() async throws {
        let inner = Deferred<Int> { 8 }
        let plusOne = inner.addCallback { $0 + 1 }
        let d = Deferred<Int> { try await plusOne.value }
        #expect(try await d.value == 9)
    }

    @Test func case77_nestedErrorCaughtAtCallersAwait() async throws {
        func raising() -> Deferred<Int> { Deferred { throw GenericError(message: "nested") } }
        let d = Deferred<Int> {
            do { return try await raising().value } catch is GenericError { return 5 }
        }
        #expect(try await d.value == 5)
    }

    @Test func case78_cancelCascadesToTheAwaitedDeferred() async throws {
        var cCancelled = false
        let c = Deferred<Int>(canceller: { _ in cCancelled = true })
        let d = Deferred<Int> { try await c.value }
        #expect(!d.called)
        d.cancel()
        #expect(cCancelled)
        await #expect(throws: CancelledError.self) { try await d.value }
        // stacked: cancelling the outer cancels the innermost awaited Deferred
        var innerCancelled = false
        let leaf = Deferred<Int>(canceller: { _ in innerCancelled = true })
        let mid = Deferred<Int> { try await leaf.value }
        let top = Deferred<Int> { try await mid.value }
        top.cancel()
        #expect(innerCancelled)
        await #expect(throws: CancelledError.self) { try await top.value }
    }

    @Test func case79_bodyTranslatesTheCancellationOutcome() async throws {
        let c = Deferred<Int>(canceller: { $0.errback(UntranslatedError()) })
        let d = Deferred<Int> {
            do { return try await c.value } catch is UntranslatedError { throw TranslatedError() }
        }
        d.cancel()
        await #expect(throws: TranslatedError.self) { try await d.value }
        let c2 = Deferred<Int>(canceller: { $0.errback(DontFail(actual: 4321)) })
        let d2 = Deferred<Int> {
            do { return try await c2.value } catch let e as DontFail { return e.actual - 1 }
        }
        d2.cancel()
        #expect(try await d2.value == 4320)
    }

    @Test func case80_asynchronousCancellationWaitsForTheBody() async throws {
        let more = Deferred<Int>()
        let c = Deferred<Int>()
        let afterCancel = c.addDeferredErrback { _ in more }
        let d = Deferred<Int> { try await afterCancel.value + 1 }
        d.cancel()
        #expect(!d.called)
        more.callback(6543)
        #expect(try await d.value == 6544)
    }

    @Test func case81_bodyCatchingCancelAndWaitingAgainNeedsASecondCancel() async throws {
        var d1Cancelled = 0, d2Cancelled = 0
        let waitingOnD2 = Mutex(false)
        let d1 = Deferred<Int>(canceller: { _ in d1Cancelled += 1 })
        let d2 = Deferred<Int>(canceller: { _ in d2Cancelled += 1 })
        let d = Deferred<Int> {
            do { return try await d1.value } catch is CancelledError {}
            waitingOnD2.withLock { $0 = true }
            return try await d2.value
        }
        d.cancel()
        // The body resumes from the first cancel in a later job: wait (bounded) until it awaits d2.
        guard await settle(until: { waitingOnD2.withLock { $0 } }) else {
            Issue.record("the body did not get to its second await"); return
        }
        for _ in 0..<10 { await Task.yield() }
        #expect(d1Cancelled == 1)
        #expect(d2Cancelled == 0)
        #expect(!d.called)
        d.cancel()
        #expect(d2Cancelled == 1)
        await #expect(throws: CancelledError.self) { try await d.value }
    }

    @Test func case82_awaitedDeferredsResultIsConsumed() async throws {
        let x = Deferred<Int>()
        let d = Deferred<Int> { try await x.value }
        x.callback(3)
        #expect(try await d.value == 3)
        var later: Int?
        _ = x.addCallback { later = $0 }
        #expect(later == nil)
    }

    @TaskLocal static var context = "outer"

    @Test func case83_bodySeesCallTimeTaskLocalsAndItsChangesDoNotLeak() async throws {
        let gate = Deferred<Void>()
        let d = Self.$context.withValue("call-time") {
            Deferred<String> {
                let seen = Self.context
                try await Self.$context.withValue("inner") { try await gate.value }
                return seen
            }
        }
        gate.callback(())
        #expect(try await d.value == "call-time")
        #expect(Self.context == "outer")
    }

    @Test func bridge_bodyRunsBeforeTheInitializerReturnsWhenNothingSuspends() {
        var ran = false
        let d = Deferred<Int> { ran = true; return 1 }
        #expect(ran)
        #expect(d.called)
    }

    @Test func bridge_cancellingTheAwaitingTaskCancelsTheDeferred() async throws {
        var cancelled = false
        let d = Deferred<Int>(canceller: { _ in cancelled = true })
        let task = Task { @MainActor in try await d.value }
        await Task.yield()
        task.cancel()
        await #expect(throws: CancelledError.self) { try await task.value }
        #expect(cancelled)
    }

    @Test func bridge_awaitedFailureIsNotReportedUnhandled() async {
        let rec = UnhandledRecorder()
        let old = DeferredDebug.setUnhandledErrorHandler { f, d in rec.reports.withLock { $0.append(("\(f.error)", d)) } }
        do {
            let d = Deferred<Int>.fail(GenericError())
            _ = try? await d.value
        }
        DeferredDebug.setUnhandledErrorHandler(old)
        #expect(rec.count == 0)
    }

    /// After an `await` took the result, `result` reads nil (Twisted leaves None) and `isConsumed` says why;
    /// a stale handle of another type still reads as a type mismatch.
    @Test func resultReadsNilOnceAnAwaitConsumedIt() async throws {
        let d = Deferred<Int>()
        let awaiting = Deferred<Int> { try await d.value }     // suspends on d
        #expect(!d.isConsumed)
        d.callback(3)                                          // the await's step takes the result
        #expect(d.isConsumed)
        let v = try await awaiting.value
        #expect(v == 3)
        #expect(d.result == nil)
        #expect(d.hasResult)           // the chain is fired and holds the consumed marker
        let later = Deferred<Int>()
        later.callback(4)
        let asText = Deferred<String>(core: later.core)
        #expect(!asText.isConsumed)
        if case .failure(let f)? = asText.result { #expect(f.check(DeferredTypeMismatchError.self)) } else { Issue.record("expected a mismatch") }
    }

    @Test func resultReadsNilOnceAnotherChainTookIt() {
        let inner = Deferred<Int>()
        inner.callback(5)
        var got: Int?
        _ = Deferred<Void>.succeed(()).addDeferredCallback { _ in inner }.addCallback { got = $0 }
        #expect(got == 5)
        #expect(inner.isConsumed)
        #expect(inner.result == nil)
    }
}
