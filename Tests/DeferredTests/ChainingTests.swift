import Testing
@testable import TwisterDeferred

/// Section 2 of twisted-deferred.md, cases 18-31: returning Deferreds from steps.
@Suite struct ChainingTests {
    @Test func case18_callbackReturnsPausedDeferredWaitsForUnpause() {
        var got: Int?
        let d1 = Deferred<Int>()
        let d2 = Deferred<Int>()
        d2.pause()
        _ = d1.addDeferredCallback { _ in d2 }.addCallback { got = $0 }
        d1.callback(1)
        d2.callback(2)
        #expect(got == nil)
        d2.unpause()
        #expect(got == 2)
    }

    @Test func case19_errbackReturnsUnfiredDeferred() {
        var got: String?
        let d1 = Deferred<String>()
        let d2 = Deferred<String>()
        _ = d1.addDeferredErrback { _ in d2 }.addCallback { got = $0 }
        d1.errback(GenericError())
        #expect(got == nil)
        d2.callback("result")
        #expect(got == "result")
    }

    @Test func case20_synchronousImplicitChainStealsTheResult() {
        var got: Int?
        let first = Deferred.succeed(5)
        let outer = Deferred<Void>()
        _ = outer.addDeferredCallback { _ in first }.addCallback { got = $0 }
        outer.callback(())
        #expect(got == 5)
        #expect(first.core.result.map { if case .success(let v) = $0 { return v is ResultConsumed } else { return false } } == true)
    }

    @Test func case21_asynchronousImplicitChain() {
        var got: Int?
        let first = Deferred<Int>()
        let outer = Deferred<Void>()
        _ = outer.addDeferredCallback { _ in first }.addCallback { got = $0 }
        outer.callback(())
        #expect(got == nil)
        first.callback(6)
        #expect(got == 6)
    }

    @Test func case22_innerFailureMovesToOuterAndIsNotLogged() {
        var seen: GenericError?
        let rec = withUnhandledRecorder {
            do {
                let inner = Deferred<Int>.fail(GenericError(message: "in"))
                let outer = Deferred<Void>()
                outer.addDeferredCallback { _ in inner }.addErrback { f in seen = f.value(as: GenericError.self); return 0 }
                outer.callback(())
            }
            do {
                let inner = Deferred<Int>()
                let outer = Deferred<Void>()
                outer.addDeferredCallback { _ in inner }.addErrback { _ in 0 }
                outer.callback(())
                inner.errback(GenericError())
            }
        }
        #expect(seen?.message == "in")
        #expect(rec.count == 0)
    }

    @Test func case23_doubleAsynchronousImplicitChaining() {
        var got: Int?
        let a = Deferred<Void>(), b = Deferred<Void>(), c = Deferred<Int>()
        _ = a.addDeferredCallback { _ in b.addDeferredCallback { _ in c } }.addCallback { got = $0 }
        a.callback(())
        b.callback(())
        #expect(got == nil)
        c.callback(9)
        #expect(got == 9)
    }

    @Test func case24_nestedAsynchronousChainedDeferredsOrder() {
        var log: [String] = []
        let inner = Deferred<String>()
        let d = Deferred<Void>()
        _ = d.addDeferredCallback { _ in
            log.append("start-of-cb")
            return inner.addCallback { v in log.append("firstCallback"); return v }
        }.addCallback { v in
            log.append("secondCallback(\(v))")
            return v + v
        }.addCallback { v in log.append(v) }
        d.callback(())
        inner.callback("orange")
        #expect(log == ["start-of-cb", "firstCallback", "secondCallback(orange)", "orangeorange"])
    }

    @Test func case25_outerCallbackRunsOnlyAfterInnerChainCompletes() {
        var log: [String] = []
        let inner = Deferred<Int>()
        inner.addCallback { v in log.append("inner1"); return v }
        let outer = Deferred<Void>()
        _ = outer.addDeferredCallback { _ in inner }.addCallback { _ in log.append("outer") }
        outer.callback(())
        inner.callback(1)
        #expect(log == ["inner1", "outer"])
    }

    @Test func case26_pausedDeferredWithResultReturnedWaitsForUnpause() {
        var got: Int?
        let inner = Deferred.succeed(3)
        inner.pause()
        let outer = Deferred<Void>()
        _ = outer.addDeferredCallback { _ in inner }.addCallback { got = $0 }
        outer.callback(())
        #expect(got == nil)
        inner.unpause()
        #expect(got == 3)
    }

    @Test func case27_pausingOuterDoesNotStopInnersOwnCallbacks() {
        var innerRan = false
        var outerRan = false
        let inner = Deferred<Int>()
        inner.addCallback { v in innerRan = true; return v }
        let outer = Deferred<Void>()
        _ = outer.addDeferredCallback { _ in inner }.addCallback { _ in outerRan = true }
        outer.callback(())
        outer.pause()
        inner.callback(1)
        #expect(innerRan)
        #expect(!outerRan)
        outer.unpause()
        #expect(outerRan)
    }

    @Test func case28_callbackAddedLaterToAStolenDeferredSeesNothing() {
        // Rebuild the Twisted scenario with fired Deferreds:
        let t = Deferred.succeed(30)
        let s = Deferred.succeed(()).addDeferredCallback { _ in t }
        let f = Deferred.succeed(()).addDeferredCallback { _ in s }
        var got: Int?
        _ = f.addCallback { got = $0 }
        var later: Int? = -1
        var laterRan = false
        _ = s.addCallback { v -> Void in laterRan = true; later = v }
        #expect(got == 30)
        #expect(!laterRan)      // the result was consumed: the later step sees nothing
        #expect(later == -1)
    }

    @Test func case29_deepImplicitChainCompletesWithBoundedStack() {
        // d_0 <- d_1 <- ... <- d_n: each d_i's callback returns d_{i+1}; firing the last one resolves all.
        let n = 100_000
        let ds = (0...n).map { _ in Deferred<Int>() }
        for i in 0..<n {
            let next = ds[i + 1]
            _ = ds[i].addDeferredCallback { _ in next }
        }
        for i in 0..<n { ds[i].callback(0) }
        var got: Int?
        _ = ds[0].addCallback { got = $0 }
        ds[n].callback(42)
        #expect(got == 42)
    }

    @Test func case30_chainDeferredRecordsTheLinkAndClearsItOnFire() {
        let a = Deferred<Int>()
        let b = Deferred<Int>()
        _ = a.chainDeferred(b)
        #expect(b.core.chainedTo === a.core)
        var got: Int?
        _ = b.addCallback { got = $0 }
        a.callback(4)
        #expect(got == 4)
        #expect(b.core.chainedTo == nil)
        // implicit chaining records the link while waiting
        let inner = Deferred<Int>()
        let outer = Deferred<Void>()
        let o2 = outer.addDeferredCallback { _ in inner }
        outer.callback(())
        #expect(o2.core.chainedTo === inner.core)
        inner.callback(1)
        #expect(o2.core.chainedTo == nil)
    }

    @Test func case31_callbackReturningItsOwnDeferredFailsTheChain() {
        var seen: Failure?
        let d = Deferred<Int>()
        var handle: Deferred<Int>?
        handle = d
        d.addDeferredCallback { _ in handle! }.addErrback { f in seen = f; return 0 }
        d.callback(1)
        #expect(seen?.check(CircularChainError.self) == true)
        handle = nil
    }
}
