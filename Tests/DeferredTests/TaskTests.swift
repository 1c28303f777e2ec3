import Testing
@testable import TwisterDeferred

/// Section 3 of twisted-deferred.md: Clock, LoopingCall, deferLater, Cooperator (tests 1-16).
@Suite struct TaskTests {
    @Test func task01_clockStartsAtZeroCallLaterIsActiveCancelDeactivates() {
        let clock = Clock()
        #expect(clock.seconds() == 0)
        let c = clock.callLater(1) {}
        #expect(c.active)
        #expect(c.time == 1)
        c.cancel()
        #expect(!c.active)
    }

    @Test func task02_advanceRunsCallsOnlyWhenDue() {
        let clock = Clock()
        var ran = false
        let c = clock.callLater(2) { ran = true }
        clock.advance(1)
        #expect(!ran)
        clock.advance(1)
        #expect(ran)
        #expect(!c.active)
    }

    @Test func task03_cancelInsideOwnCallAndDoubleCancelAreRefused() {
        let clock = Clock()
        var inner: Bool?
        var c: (any DelayedCall)?
        c = clock.callLater(1) { inner = c?.cancel() }
        clock.advance(1)
        #expect(inner == false)     // Twisted: AlreadyCalled
        let d = clock.callLater(1) {}
        #expect(d.cancel())
        #expect(!d.cancel())       // Twisted: AlreadyCancelled
    }

    @Test func task04_delayAndReset() {
        let clock = Clock()
        var ran = 0
        let c = clock.callLater(1) { ran += 1 }
        c.delay(1)
        #expect(c.time == 2)
        clock.advance(1.5)
        #expect(ran == 0)
        clock.advance(0.5)
        #expect(ran == 1)
        let clock2 = Clock()
        let later = clock2.callLater(2) {}
        later.reset(4)
        #expect(later.time == 4)
        let sooner = clock2.callLater(5) {}
        sooner.reset(3)
        #expect(sooner.time == 3)
    }

    @Test func task05_orderKeptAfterResetEvenInsideARunningCall() {
        let clock = Clock()
        var log: [(String, Double)] = []
        let a = clock.callLater(2) { log.append(("a", clock.seconds())) }
        clock.callLater(1) {
            a.reset(2)   // a now at 3
            clock.callLater(1) { log.append(("b", clock.seconds())) }   // b at 2
        }
        clock.advance(1); clock.advance(1); clock.advance(1)
        #expect(log.map { $0.0 } == ["b", "a"])
        #expect(log.map { $0.1 } == [2, 3])
    }

    @Test func task06_tiesAreFifoAndCallsSeeTheNewTime() {
        let clock = Clock()
        var log: [String] = []
        var seen: Double?
        clock.callLater(1) { log.append("first"); seen = clock.seconds() }
        clock.callLater(1) { log.append("second") }
        clock.callLater(1) { clock.callLater(0) { log.append("zero") } }
        clock.advance(5)
        #expect(log == ["first", "second", "zero"])
        #expect(seen == 5)
    }

    @Test func task07_loopingCallBasicsAndStop() throws {
        let clock = Clock()
        var calls = 0
        let lc = LoopingCall(clock: clock) { calls += 1 }
        let d = try lc.start(0.1)
        clock.pump([0.05, 0.1, 0.1])
        #expect(calls == 3)
        var stopped: LoopingCall?
        _ = d.addCallback { stopped = $0 }
        lc.stop()
        #expect(stopped === lc)
        #expect(clock.pendingCalls.isEmpty)
        var calls2 = 0
        let lc2 = LoopingCall(clock: clock) { calls2 += 1 }
        try lc2.start(0.1, now: false)
        clock.pump([0.05, 0.1, 0.1])
        #expect(calls2 == 2)
        lc2.stop()
    }

    @Test func task08_badIntervalAndStopAtOnce() throws {
        let clock = Clock()
        var calls = 0
        let lc = LoopingCall(clock: clock) { calls += 1 }
        #expect(throws: InvalidArgumentError.self) { try lc.start(-1) }
        try lc.start(1, now: false)
        lc.stop()
        #expect(calls == 0)
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func task09_resetRestartsTiming() throws {
        let clock = Clock()
        var calls = 0
        let lc = LoopingCall(clock: clock) { calls += 1 }
        try lc.start(2, now: false)
        clock.advance(1)
        lc.reset()
        clock.advance(1)
        #expect(calls == 0)
        clock.advance(1)
        #expect(calls == 1)
        lc.stop()
    }

    @Test func task10_callbackTimeSkipsAreSkipped() throws {
        let clock = Clock()
        var times: [Double] = []
        let lc = LoopingCall(clock: clock) {
            times.append(clock.seconds())
            if times.count == 1 { clock.advance(2) }
        }
        try lc.start(0.5)
        clock.advance(0.5)
        clock.advance(1.5)
        #expect(times == [0, 2.5, 4])
        lc.stop()
        let clock2 = Clock()
        var times2: [Double] = []
        let lc2 = LoopingCall(clock: clock2) { times2.append(clock2.seconds()) }
        try lc2.start(0.5)
        clock2.advance(2)
        clock2.advance(1)
        #expect(times2 == [0, 2, 3])
        lc2.stop()
    }

    @Test func task11_withCountReportsElapsedIntervals() throws {
        let clock = Clock()
        var counts: [(Double, Int)] = []
        let lc = LoopingCall.withCount(clock: clock) { counts.append((clock.seconds(), $0)) }
        try lc.start(0.5)
        clock.advance(0.51)
        clock.advance(1.51)
        #expect(counts.map { $0.1 } == [1, 1, 3])
        #expect(counts.map { $0.0 } == [0, 0.51, 2.02])
        lc.stop()
        // interval 0: every call counts 1 (the loop stops itself after 5)
        let c2 = Clock()
        var zero: [Int] = []
        var lz: LoopingCall!
        lz = LoopingCall.withCount(clock: c2) { zero.append($0); if zero.count == 5 { lz.stop() } }
        try lz.start(0, now: false)
        c2.advance(0)
        #expect(zero == [1, 1, 1, 1, 1])
        // floating-point boundaries never give a count of 0
        let c3 = Clock()
        var counts3: [Int] = []
        let l3 = LoopingCall.withCount(clock: c3) { counts3.append($0) }
        try l3.start(0.1)
        for _ in 0..<10 { c3.advance(0.1) }
        #expect(!counts3.contains(0))
        #expect(counts3.reduce(0, +) >= 10)
        l3.stop()
    }

    @Test func task12_deferredResultsAndFailuresStopOrFailTheLoop() throws {
        let clock = Clock()
        let pending = Deferred<Void>()
        let lc = LoopingCall(clock: clock, deferred: { pending })
        let d = try lc.start(1)
        lc.stop()
        var fired = false
        _ = d.addCallback { _ in fired = true }
        #expect(!fired)
        pending.callback(())
        #expect(fired)
        #expect(clock.pendingCalls.isEmpty)
        let lc2 = LoopingCall(clock: clock, deferred: { Deferred.fail(GenericError(message: "eb")) })
        var err: Failure?
        try lc2.start(1).addErrback { f in err = f; return lc2 }
        #expect(err?.value(as: GenericError.self)?.message == "eb")
        #expect(!lc2.running)
        #expect(clock.pendingCalls.isEmpty)
        let lc3 = LoopingCall(clock: clock) { throw GenericError(message: "throw") }
        var err3: Failure?
        try lc3.start(1).addErrback { f in err3 = f; return lc3 }
        #expect(err3?.value(as: GenericError.self)?.message == "throw")
    }

    @Test func task13_deferLater() {
        let clock = Clock()
        var got: String?
        _ = deferLater(clock, 3) { "foo" + "bar" }.addCallback { got = $0 }
        clock.advance(2)
        #expect(got == nil)
        clock.advance(1)
        #expect(got == "foobar")
        var err: Failure?
        deferLater(clock, 1) { () throws -> Int in throw GenericError() }.addErrback { f in err = f; return 0 }
        clock.advance(1)
        #expect(err?.check(GenericError.self) == true)
        var ran = false
        let c = deferLater(clock, 1) { ran = true }
        var cancelled: Failure?
        c.addErrback { f in cancelled = f }
        c.cancel()
        clock.advance(5)
        #expect(!ran)
        #expect(cancelled?.check(CancelledError.self) == true)
        #expect(clock.pendingCalls.isEmpty)
        var none = false
        deferLater(clock, 1).addCallback { none = true }
        clock.advance(1)
        #expect(none)
    }

    @Test func task14_cooperatorInterleavesAndPauses() throws {
        let clock = Clock()
        let coop = Cooperator(clock: clock, terminationPredicateFactory: { { false } })
        var log: [String] = []
        for name in ["a", "b", "c", "d"] {
            var i = 0
            try coop.cooperate {
                guard i < 2 else { return .done }
                log.append("\(name)\(i)")
                i += 1
                return .more
            }
        }
        clock.advance(1)
        #expect(log == ["a0", "b0", "c0", "d0", "a1", "b1", "c1", "d1"])
        var n = 0
        let t = try coop.cooperate { n += 1; return n < 100 ? .more : .done }
        t.pause(); t.pause()
        clock.advance(1)
        #expect(n == 0)
        try t.resume()
        clock.advance(1)
        #expect(n == 0)
        try t.resume()
        #expect(throws: CooperatorError.notPaused) { try t.resume() }
        clock.advance(1)
        #expect(n == 100)
    }

    @Test func task15_whenDoneAndStop() throws {
        let clock = Clock()
        let coop = Cooperator(clock: clock)
        var i = 0
        let t = try coop.cooperate { i += 1; return i < 3 ? .more : .done }
        var done1 = false, done2 = false
        t.whenDone().addCallback { done1 = true }
        t.whenDone().addCallback { done2 = true }
        clock.advance(1)
        #expect(done1 && done2)
        var late = false
        t.whenDone().addCallback { late = true }
        #expect(late)
        #expect(throws: CooperatorError.taskDone) { try t.stop() }
        let failing = try coop.cooperate { throw GenericError() }
        var ferr: Failure?
        failing.whenDone().addErrback { f in ferr = f }
        clock.advance(1)
        #expect(ferr?.check(GenericError.self) == true)
        #expect(throws: CooperatorError.taskFailed) { try failing.stop() }
        let stopped = try coop.cooperate { .more }
        var serr: Failure?
        stopped.whenDone().addErrback { f in serr = f }
        try stopped.stop()
        #expect(serr?.value(as: CooperatorError.self) == .taskStopped)
    }

    @Test func task16_stoppedCooperatorRejectsTasksAndFailsWaiters() throws {
        let clock = Clock()
        let coop = Cooperator(clock: clock)
        let waiting = Deferred<Void>()
        var served = false
        let d = coop.coiterate {
            if served { return .done }
            served = true
            return .wait(waiting)
        }
        clock.advance(1)
        var err: Failure?
        d.addErrback { f in err = f }
        coop.stop()
        #expect(err?.value(as: CooperatorError.self) == .schedulerStopped)
        #expect(throws: CooperatorError.schedulerStopped) { try coop.cooperate { .done } }
        #expect(clock.pendingCalls.isEmpty)
    }

    /// Twisted's withCount with a function returning a Deferred: the loop waits for it, so a Deferred slower
    /// than the interval delays the next call, which gets the count of the intervals elapsed meanwhile.
    @Test func withCountWaitsForADeferredSlowerThanTheInterval() throws {
        let clock = Clock()
        var calls: [(time: Double, count: Int)] = []
        var pending: Deferred<Void>?
        let lc = LoopingCall.withCount(clock: clock, deferred: { count in
            calls.append((clock.seconds(), count))
            let d = Deferred<Void>()
            pending = d
            return d
        })
        var stopped: LoopingCall?
        _ = try lc.start(1).addCallback { stopped = $0 }
        #expect(calls.map(\.count) == [1])
        clock.pump([1, 1, 0.5])        // t = 2.5: intervals pass, but the first call's Deferred has not fired
        #expect(calls.count == 1)
        pending?.callback(())          // done at 2.5: the next call is at the next interval, t = 3
        #expect(calls.count == 1)
        clock.advance(0.5)
        #expect(calls.map(\.time) == [0, 3])
        #expect(calls.map(\.count) == [1, 3])
        pending?.callback(())
        clock.advance(1)
        #expect(calls.map(\.count) == [1, 3, 1])
        lc.stop()                      // waits for the outstanding Deferred
        #expect(stopped == nil)
        pending?.callback(())
        #expect(stopped === lc)
        #expect(!lc.running)
    }

    @Test func withCountStopsAndFailsWhenTheDeferredFails() throws {
        let clock = Clock()
        var counts: [Int] = []
        var pending: Deferred<Void>?
        let lc = LoopingCall.withCount(clock: clock, deferred: { count in
            counts.append(count)
            let d = Deferred<Void>()
            pending = d
            return d
        })
        var failure: Failure?
        let started = try lc.start(1)
        _ = started.addCallbacks({ _ in }, { f in failure = f })
        pending?.errback(GenericError(message: "boom"))
        #expect(!lc.running)
        #expect(failure?.value(as: GenericError.self) == GenericError(message: "boom"))
        clock.advance(5)
        #expect(counts == [1])         // no call after the failure
    }
}
