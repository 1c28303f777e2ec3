import Testing
@testable import TwisterDeferred

/// Section 2 of twisted-deferred.md, cases 32-50: cancellation, timeouts, unhandled errors, maybeDeferred.
@Suite struct CancelTests {
    @Test func case32_noCancellerCancelFailsWithCancelledError() {
        var cbRan = false
        var err: Failure?
        let d = Deferred<Int>()
        _ = d.addCallbacks({ _ in cbRan = true }, { f in err = f })
        d.cancel()
        #expect(!cbRan)
        #expect(err?.check(CancelledError.self) == true)
    }

    @Test func case33_afterCancelOneLateFireIsSwallowedTheNextRaises() throws {
        let d = Deferred<Int>()
        d.addErrback { _ in 0 }
        d.cancel()
        try d.tryCallback(1)
        #expect(throws: AlreadyCalledError.self) { try d.tryCallback(2) }
        let e = Deferred<Int>()
        e.addErrback { _ in 0 }
        e.cancel()
        try e.tryErrback(GenericError())
        #expect(throws: AlreadyCalledError.self) { try e.tryErrback(GenericError()) }
    }

    @Test func case34_moreCancelsChangeNothing() throws {
        let d = Deferred<Int>()
        var errbacks = 0
        d.addErrback { _ in errbacks += 1; return 0 }
        d.cancel(); d.cancel(); d.cancel()
        #expect(errbacks == 1)
        try d.tryCallback(1)
        #expect(throws: AlreadyCalledError.self) { try d.tryCallback(1) }
    }

    @Test func case35_nonFiringCancellerCalledOnceAndLaterCallbackRaises() {
        var calls = 0
        let d = Deferred<Int>(canceller: { _ in calls += 1 })
        var err: Failure?
        d.addErrback { f in err = f; return 0 }
        d.cancel(); d.cancel()
        #expect(calls == 1)
        #expect(err?.check(CancelledError.self) == true)
        #expect(throws: AlreadyCalledError.self) { try d.tryCallback(1) }
    }

    @Test func case36_cancellerReceivesTheDeferredItself() {
        var received: Deferred<Int>?
        let d = Deferred<Int>(canceller: { received = $0 })
        d.addErrback { _ in 0 }
        d.cancel()
        #expect(received?.isSame(d) == true)
    }

    @Test func case37_cancelAfterFireDoesNothing() throws {
        var calls = 0
        let d = Deferred<Int>(canceller: { _ in calls += 1 })
        d.callback(5)
        d.cancel()
        #expect(calls == 0)
        #expect(try d.result?.get() == 5)
        let e = Deferred<Int>(canceller: { _ in calls += 1 })
        e.errback(GenericError(message: "x"))
        e.cancel()
        #expect(calls == 0)
        e.addErrback { f in #expect(f.check(GenericError.self)); return 0 }
    }

    @Test func case38_cancellerThatFiresWins() {
        let a = Deferred<String>(canceller: { $0.errback(GenericError(message: "g")) })
        var aErr: GenericError?
        a.addErrback { f in aErr = f.value(as: GenericError.self); return "" }
        a.cancel()
        #expect(aErr?.message == "g")
        let b = Deferred<String>(canceller: { $0.callback("hello!") })
        var got: String?
        _ = b.addCallback { got = $0 }
        b.cancel()
        #expect(got == "hello!")
    }

    @Test func case39_cancelWhileWaitingOnChainedCancelsInner() {
        var innerCancels = 0, outerCancels = 0
        let b = Deferred<Int>(canceller: { _ in innerCancels += 1 })
        let a = Deferred<Void>(canceller: { _ in outerCancels += 1 })
        var err: Failure?
        a.addDeferredCallback { _ in b }.addErrback { f in err = f; return 0 }
        a.callback(())
        a.cancel()
        #expect(innerCancels == 1)
        #expect(outerCancels == 0)
        #expect(err?.check(CancelledError.self) == true)
    }

    @Test func case40_cancellerReleasedAfterFire() {
        final class Holder {}
        weak var weakHolder: Holder?
        let d: Deferred<Int>
        do {
            let h = Holder()
            weakHolder = h
            d = Deferred<Int>(canceller: { _ in _ = h })
        }
        #expect(weakHolder != nil)
        d.callback(1)
        #expect(weakHolder == nil)
    }

    @Test func case41_addTimeoutFailsWithTimeoutErrorOrCustomResult() {
        let clock = Clock()
        let d = Deferred<String>()
        var err: Failure?
        d.addTimeout(10, clock: clock).addErrback { f in err = f; return "" }
        clock.advance(15)
        #expect(err?.value(as: TimeoutError.self)?.seconds == 10)
        let e = Deferred<String>()
        var got: String?
        _ = e.addTimeout(10, clock: clock, onTimeoutCancel: { _, _ in "OVERRIDDEN" }).addCallback { got = $0 }
        clock.advance(15)
        #expect(got == "OVERRIDDEN")
    }

    @Test func case42_firedBeforeDeadlineIsUntouched() {
        let clock = Clock()
        let d = Deferred<String>()
        var got: String?
        d.addTimeout(10, clock: clock)
        let inner = Deferred<String>()
        var innerCancelled = false
        let later = Deferred<String>(canceller: { _ in innerCancelled = true })
        _ = inner
        _ = d.addDeferredCallback { _ in later }.addCallback { got = $0 }
        clock.advance(5)
        d.callback("ok")
        clock.advance(10)
        #expect(!innerCancelled)
        #expect(clock.pendingCalls.isEmpty)
        later.callback("done")
        #expect(got == "done")
        let f = Deferred<String>()
        var err: Failure?
        f.addTimeout(10, clock: clock).addErrback { e in err = e; return "" }
        f.errback(GenericError(message: "early"))
        clock.advance(20)
        #expect(err?.value(as: GenericError.self)?.message == "early")
    }

    @Test func case43_cancellerOutcomeSurvivesTimeout() {
        let clock = Clock()
        let a = Deferred<String>(canceller: { $0.callback("I was cancelled!") })
        var got: String?
        _ = a.addTimeout(10, clock: clock).addCallback { got = $0 }
        clock.advance(10)
        #expect(got == "I was cancelled!")
        let b = Deferred<String>(canceller: { $0.errback(GenericError(message: "value")) })
        var err: Failure?
        b.addTimeout(10, clock: clock).addErrback { f in err = f; return "" }
        clock.advance(10)
        #expect(err?.value(as: GenericError.self)?.message == "value")
    }

    @Test func case44_manualCancelBeforeTimeoutKeepsCancelledError() {
        let clock = Clock()
        var customCalled = false
        let d = Deferred<String>()
        var err: Failure?
        d.addTimeout(10, clock: clock, onTimeoutCancel: { _, _ in customCalled = true; return "x" })
            .addErrback { f in err = f; return "" }
        d.cancel()
        clock.advance(20)
        #expect(err?.check(CancelledError.self) == true)
        #expect(!customCalled)
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func case45_errbackAddedBeforeTimeoutSeesCancelledError() {
        let clock = Clock()
        // re-raise → TimeoutError
        let a = Deferred<String>()
        var sawCancelled = false
        var final: Failure?
        a.addErrback { f in sawCancelled = f.check(CancelledError.self); throw f }
        a.addTimeout(10, clock: clock).addErrback { f in final = f; return "" }
        clock.advance(10)
        #expect(sawCancelled)
        #expect(final?.check(TimeoutError.self) == true)
        // swallow → success
        let b = Deferred<String>()
        var got: String?
        b.addErrback { _ in "swallowed" }
        _ = b.addTimeout(10, clock: clock).addCallback { got = $0 }
        clock.advance(10)
        #expect(got == "swallowed")
        // custom → OVERRIDDEN
        let c = Deferred<String>()
        c.addErrback { f in throw f }
        var custom: String?
        _ = c.addTimeout(10, clock: clock, onTimeoutCancel: { _, _ in "OVERRIDDEN" }).addCallback { custom = $0 }
        clock.advance(10)
        #expect(custom == "OVERRIDDEN")
        // callback-ing canceller → success
        let e = Deferred<String>(canceller: { $0.callback("success") })
        var ok: String?
        _ = e.addTimeout(10, clock: clock).addCallback { ok = $0 }
        clock.advance(10)
        #expect(ok == "success")
    }

    @Test func case46_droppedDeferredWithFailureIsReportedOnce() {
        let rec = withUnhandledRecorder {
            do {
                let d = Deferred<Int>()
                d.addCallback { _ -> Int in throw GenericError(message: "ZeroDivisionError") }
                d.callback(1)
            }
            do {
                // also when the failure went through a cycle of steps
                let d = Deferred<Int>()
                d.addErrback { f in throw f }
                d.errback(GenericError(message: "second"))
            }
        }
        #expect(rec.count == 2)
        #expect(rec.texts[0].contains("ZeroDivisionError"))
        #expect(rec.texts[1].contains("second"))
    }

    @Test func case47_debugModeReportNamesInvoker() {
        var rec: UnhandledRecorder?
        globalHookLock.withLock { _ in DeferredDebug.enabled = true }
        rec = withUnhandledRecorder {
            let d = Deferred<Int>()
            d.errback(GenericError())
        }
        globalHookLock.withLock { _ in DeferredDebug.enabled = false }
        #expect(rec?.count == 1)
        #expect(rec?.debugTexts.first??.hasPrefix(" I") == true)
    }

    @Test func case48_failureMovedByChainingOrClearedIsNotLogged() {
        let rec = withUnhandledRecorder {
            do {
                let inner = Deferred<Int>.fail(GenericError())
                let outer = Deferred<Void>()
                outer.addDeferredCallback { _ in inner }.addErrback { _ in 0 }
                outer.callback(())
            }
            do {
                let d = Deferred<Int>()
                d.addDeferredErrback { _ in Deferred.succeed(1) }
                d.errback(GenericError())
            }
        }
        #expect(rec.count == 0)
    }

    @Test func case49_logErrorReturnsTheSameFailureAndLogsIt() {
        let f = Failure(GenericError(message: "logged"))
        var returned: Failure?
        let rec = withUnhandledRecorder { returned = logError(f) }
        #expect(returned === f)
        #expect(rec.count == 1)
    }

    @Test func case50_maybeDeferredWrapsEveryOutcome() throws {
        #expect(try maybeDeferred { 1 }.result?.get() == 1)
        let thrown = maybeDeferred { () throws -> Int in throw GenericError(message: "t") }
        var tErr: GenericError?
        thrown.addErrback { f in tErr = f.value(as: GenericError.self); return 0 }
        #expect(tErr?.message == "t")
        let failure = Failure(GenericError())
        var same: Failure?
        maybeDeferred { () throws -> Int in throw failure }.addErrback { f in same = f; return 0 }
        #expect(same === failure)
        let d = Deferred<Int>()
        #expect(maybeDeferred { d }.isSame(d))
    }
}
