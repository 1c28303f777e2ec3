import Testing
@testable import TwisterDeferred

/// Section 2 of twisted-deferred.md, cases 1-13: the callback chain.
@Suite struct ChainTests {
    @Test func case01_callbackWithExtraArguments() {
        var got: [String] = []
        let d = Deferred<String>()
        let extra = "world"
        _ = d.addCallback { got.append($0 + " " + extra) }
        d.callback("hello")
        #expect(got == ["hello world"])
    }

    @Test func case02_twoCallbacksSecondGetsFirstsReturn() {
        var second: Int?
        let d = Deferred<Int>()
        _ = d.addCallback { $0 + 1 }.addCallback { second = $0 * 10 }
        d.callback(1)
        #expect(second == 20)
    }

    @Test func case03_addCallbacksWithoutErrbackPassesFailureOn() {
        var cbRan = false
        var seen: GenericError?
        let d = Deferred<Int>()
        _ = d.addCallback { _ in cbRan = true }
        d.addErrback { f in seen = f.error as? GenericError; return 0 }
        d.errback(GenericError(message: "E"))
        #expect(!cbRan)
        #expect(seen == GenericError(message: "E"))
    }

    @Test func case04_callbackThrowsNextPairsErrbackGetsItSamePairsErrbackNot() {
        var samePairErrback = false
        var nextErrback: Failure?
        let d = Deferred<Int>()
        d.addCallbacks({ _ -> Int in throw GenericError(message: "boom") }, { f in samePairErrback = true; throw f })
            .addErrback { f in nextErrback = f; return 0 }
        d.callback(1)
        #expect(!samePairErrback)
        #expect((nextErrback?.error as? GenericError)?.message == "boom")
    }

    @Test func case05_callbackThrowingAFailureKeepsTheIdenticalFailure() {
        let original = Failure(GenericError(message: "rte"))
        var seen: Failure?
        let d = Deferred<Int>()
        d.addCallback { _ -> Int in throw original }.addErrback { f in seen = f; return 0 }
        d.callback(1)
        #expect(seen === original)
    }

    @Test func case06_errbackReturningValueSwitchesBackToSuccess() {
        var got: Int?
        let d = Deferred<Int>()
        _ = d.addErrback { _ in 42 }.addCallback { got = $0 }
        d.errback(GenericError())
        #expect(got == 42)
    }

    @Test func case07_errbackWithFailureRunsErrbacks() {
        var ran = false
        let d = Deferred<Int>()
        d.addErrback { _ in ran = true; return 0 }
        d.errback(Failure(GenericError()))
        #expect(ran)
    }

    @Test func case08_addBothGetsValueOrFailure() {
        var seen: [String] = []
        let a = Deferred<Int>()
        _ = a.addBoth { r -> Void in seen.append((try? r.get()).map { "v\($0)" } ?? "f") }
        a.callback(3)
        let b = Deferred<Int>()
        _ = b.addBoth { r -> Void in seen.append((try? r.get()).map { "v\($0)" } ?? "f") }
        b.errback(GenericError())
        #expect(seen == ["v3", "f"])
    }

    @Test func case09_addingToAFiredDeferredRunsSynchronously() {
        var got: Int?
        _ = Deferred.succeed(5).addCallback { got = $0 }
        #expect(got == 5)
        var failed = false
        Deferred<Int>.fail(GenericError()).addErrback { _ in failed = true; return 0 }
        #expect(failed)
    }

    @Test func case10_succeedMatchesManualCallback() throws {
        let a = Deferred.succeed(7)
        let b = Deferred<Int>()
        b.callback(7)
        #expect(a.called == b.called)
        #expect(a.hasResult == b.hasResult)
        #expect(try a.result?.get() == (try b.result?.get()))
    }

    @Test func case11_callbackAddedInsideRunningCallbackRunsAfterIt() {
        var order: [Int] = []
        let d = Deferred<Void>()
        d.addCallback { _ in
            order.append(1)
            d.addCallback { _ in order.append(3) }
            order.append(2)
        }
        d.callback(())
        #expect(order == [1, 2, 3])
    }

    @Test func case12_reentrantCallbackThatThrowsFailsTheDeferred() {
        var failure: Failure?
        let d = Deferred<Void>()
        d.addCallback { _ in
            d.addCallback { _ in throw GenericError(message: "inner") }
            d.addErrback { f in failure = f }
        }
        d.callback(())
        #expect((failure?.error as? GenericError)?.message == "inner")
    }

    @Test func case13_errbackAlwaysCarriesAnError() {
        // Twisted's errback() with no active exception raises NoCurrentExceptionError. In Swift errback takes
        // the error as an argument, so the case cannot arise; the closest check: the error given is the one seen.
        var seen: GenericError?
        let d = Deferred<Int>()
        d.addErrback { f in seen = f.value(as: GenericError.self); return 0 }
        d.errback(GenericError(message: "given"))
        #expect(seen?.message == "given")
    }

    @Test func case14_doubleFireRaisesAlreadyCalledError() throws {
        for (first, second) in [(true, true), (true, false), (false, false), (false, true)] {
            let d = Deferred<Int>()
            if first { try d.tryCallback(1) } else { try d.tryErrback(GenericError()) }
            #expect(throws: AlreadyCalledError.self) {
                if second { try d.tryCallback(2) } else { try d.tryErrback(GenericError()) }
            }
            d.addErrback { _ in 0 }
        }
    }

    @Test func case15_debugModeNamesCreatorAndFirstInvoker() throws {
        try globalHookLock.withLock { _ in
            DeferredDebug.enabled = true
            defer { DeferredDebug.enabled = false }
            let d = Deferred<Int>()
            try d.tryCallback(1)
            do {
                try d.tryCallback(2)
                Issue.record("expected AlreadyCalledError")
            } catch {
                let message = (error as? AlreadyCalledError)?.message ?? ""
                #expect(message.contains("C:"))
                #expect(message.contains("I:"))
                #expect(message.contains("ChainTests.swift"))
            }
        }
        let plain = Deferred<Int>()
        try plain.tryCallback(1)
        #expect(throws: AlreadyCalledError.self) { try plain.tryCallback(2) }
        do { try plain.tryCallback(3) } catch { #expect(error.message.isEmpty) }
    }

    @Test func case16_pausedFailureRunsErrbackOnlyAfterUnpause() {
        var ran = false
        let d = Deferred<Int>.fail(GenericError())
        d.pause()
        d.addErrback { _ in ran = true; return 0 }
        #expect(!ran)
        d.unpause()
        #expect(ran)
    }

    @Test func case17_pauseBeforeFireAndNestedPauses() {
        var got: Int?
        let d = Deferred<Int>()
        d.pause(); d.unpause()
        _ = d.addCallback { got = $0 }
        d.pause(); d.pause()
        d.callback(1)
        #expect(got == nil)
        #expect(d.called)
        d.unpause()
        #expect(got == nil)
        d.unpause()
        #expect(got == 1)
    }
}
