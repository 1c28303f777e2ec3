import Testing
@testable import TwisterDeferred

/// Section 2 of twisted-deferred.md, cases 51-68: DeferredList, gatherResults, race, lock, semaphore, queue.
@Suite struct ListAndLockTests {
    @Test func case51_deferredListResultsInInputOrder() throws {
        let d1 = Deferred<String>(), d2 = Deferred<String>(), d3 = Deferred<String>()
        var out: [Result<String, Failure>]?
        _ = deferredList([d1, d2, d3]).addCallback { out = $0.results }
        d1.callback("1")
        d2.errback(GenericError(message: "2"))
        d2.addErrback { _ in "" }
        #expect(out == nil)
        d3.callback("3")
        #expect(out?.count == 3)
        #expect(try out?[0].get() == "1")
        #expect((try? out?[1].get()) == nil)
        #expect(try out?[2].get() == "3")
    }

    @Test func case52_emptyListFiresAtOnceExceptWithFireOnOneCallback() {
        var out: [Result<Int, Failure>]?
        _ = deferredList([Deferred<Int>]()).addCallback { out = $0.results }
        #expect(out?.isEmpty == true)
        let never = deferredList([Deferred<Int>](), fireOnOneCallback: true)
        #expect(!never.called)
    }

    @Test func case53_fireOnOneErrbackGivesFirstErrorWithIndex() {
        let d1 = Deferred<Int>(), d2 = Deferred<Int>()
        var first: FirstError?
        deferredList([d1, d2], fireOnOneErrback: true).addErrback { f in first = f.value(as: FirstError.self); return .all([]) }
        d1.callback(1)
        d2.errback(GenericError(message: "from def2"))
        d2.addErrback { _ in 0 }
        #expect(first?.index == 1)
        #expect(first?.subFailure.value(as: GenericError.self)?.message == "from def2")
        // pre-failed input
        let pre = Deferred<Int>.fail(GenericError(message: "pre"))
        var first2: FirstError?
        deferredList([Deferred<Int>(), pre], fireOnOneErrback: true, consumeErrors: true)
            .addErrback { f in first2 = f.value(as: FirstError.self); return .all([]) }
        #expect(first2?.index == 1)
    }

    @Test func case54_consumeErrorsHidesTheFailureFromLaterErrbacks() {
        let a = Deferred<Int>()
        var out: [Result<Int, Failure>]?
        _ = deferredList([a]).addCallback { out = $0.results }
        var laterSaw = false
        a.errback(GenericError())
        a.addErrback { _ in laterSaw = true; return 0 }
        #expect(laterSaw)
        let b = Deferred<Int>()
        var out2: [Result<Int, Failure>]?
        _ = deferredList([b], consumeErrors: true).addCallback { out2 = $0.results }
        var laterSaw2 = false
        b.errback(GenericError())
        b.addErrback { _ in laterSaw2 = true; return 0 }
        #expect(!laterSaw2)
        if case .failure? = out2?.first {} else { Issue.record("list should keep the Failure") }
        _ = out
    }

    @Test func case55_fireOnOneCallbackGivesValueAndIndex() {
        let a = Deferred<String>(), b = Deferred<String>()
        var first: (String, Int)?
        _ = deferredList([a, b], fireOnOneCallback: true).addCallback { r -> Void in
            if case .first(let v, let i) = r { first = (v, i) }
        }
        b.callback("B")
        #expect(first?.0 == "B")
        #expect(first?.1 == 1)
    }

    @Test func case56_cancellingTheListCancelsOriginalInputsOnly() {
        var cancelled: [Int] = []
        let a = Deferred<Int>(canceller: { _ in cancelled.append(0) })
        let b = Deferred<Int>(canceller: { _ in cancelled.append(1) })
        let derived = b.addCallback { $0 + 1 }
        _ = derived
        let list = deferredList([a, b], consumeErrors: true)
        _ = list.addCallback { _ in }
        list.cancel()
        #expect(cancelled == [0, 1])
    }

    @Test func case57_cancellerThatCallbacksShapesTheList() throws {
        let a = Deferred<String>(canceller: { $0.callback("R") })
        let b = Deferred<String>()
        var out: [Result<String, Failure>]?
        let list = deferredList([a, b], consumeErrors: true)
        _ = list.addCallback { out = $0.results }
        list.cancel()
        #expect(try out?[0].get() == "R")
        if case .failure(let f)? = out?[1] { #expect(f.check(CancelledError.self)) } else { Issue.record("expected failure") }
        let c = Deferred<String>(canceller: { $0.callback("R") })
        var first: String?
        let l2 = deferredList([c, Deferred<String>()], fireOnOneCallback: true, consumeErrors: true)
        _ = l2.addCallback { r -> Void in if case .first(let v, 0) = r { first = v } }
        l2.cancel()
        #expect(first == "R")
        let e = Deferred<String>()
        var fe: FirstError?
        let l3 = deferredList([e, Deferred<String>()], fireOnOneErrback: true, consumeErrors: true)
        l3.addErrback { f in fe = f.value(as: FirstError.self); return .all([]) }
        l3.cancel()
        #expect(fe?.subFailure.check(CancelledError.self) == true)
    }

    @Test func case58_allInputsCancelledEvenIfOneCancellerMisbehaves() {
        var cancelled = 0
        let a = Deferred<Int>(canceller: { _ in cancelled += 1 })
        let b = Deferred<Int>(canceller: { _ in cancelled += 1 })
        let list = deferredList([a, b], consumeErrors: true)
        _ = list.addCallback { _ in }
        list.cancel()
        // Swift cancellers cannot throw; each input is still cancelled exactly once.
        #expect(cancelled == 2)
    }

    @Test func case59_cancelAfterFireOnOneFiredLeavesOthers() {
        var cancelled = false
        let a = Deferred<Int>()
        let b = Deferred<Int>(canceller: { _ in cancelled = true })
        let list = deferredList([a, b], fireOnOneCallback: true)
        _ = list.addCallback { _ in }
        a.callback(1)
        list.cancel()
        #expect(!cancelled)
        #expect(!b.called)
    }

    @Test func case60_gatherResults() {
        var values: [Int]?
        _ = gatherResults([Deferred.succeed(1), Deferred.succeed(2)]).addCallback { values = $0 }
        #expect(values == [1, 2])
        var fe: FirstError?
        let bad = Deferred<Int>.fail(GenericError())
        gatherResults([Deferred.succeed(1), bad], consumeErrors: true).addErrback { f in fe = f.value(as: FirstError.self); return [] }
        #expect(fe?.index == 1)
        var laterSaw = false
        bad.addErrback { _ in laterSaw = true; return 0 }
        #expect(!laterSaw)
        let c = Deferred<Int>()
        var cfe: FirstError?
        let g = gatherResults([c, Deferred<Int>()], consumeErrors: true)
        g.addErrback { f in cfe = f.value(as: FirstError.self); return [] }
        g.cancel()
        #expect(cfe?.subFailure.check(CancelledError.self) == true)
    }

    @Test func case61_raceFirstSuccessWinsOthersCancelledOnce() {
        var cancels = [0, 0, 0]
        let ds = (0..<3).map { i in Deferred<Int>(canceller: { _ in cancels[i] += 1 }) }
        var winner: (Int, Int)?
        _ = race(ds).addCallback { winner = ($0.index, $0.value) }
        ds[1].callback(10)
        #expect(winner?.0 == 1)
        #expect(winner?.1 == 10)
        #expect(cancels == [1, 0, 1])
        let rec = withUnhandledRecorder { }
        #expect(rec.count == 0)
    }

    @Test func case62_raceAllFailOrCancelGivesFailureGroup() {
        let a = Deferred<Int>(), b = Deferred<Int>()
        var group: FailureGroup?
        race([a, b]).addErrback { f in group = f.value(as: FailureGroup.self); return (0, 0) }
        b.errback(GenericError(message: "b"))
        a.errback(GenericError(message: "a"))
        #expect(group?.failures.map { $0.value(as: GenericError.self)?.message } == ["a", "b"])
        let c = Deferred<Int>(), d = Deferred<Int>()
        var g2: FailureGroup?
        let r = race([c, d])
        r.addErrback { f in g2 = f.value(as: FailureGroup.self); return (0, 0) }
        r.cancel()
        #expect(g2?.failures.count == 2)
        #expect(g2?.failures.allSatisfy { $0.check(CancelledError.self) } == true)
    }

    @Test func case63_deferredLockAcquireReleaseAndRun() {
        let lock = DeferredLock()
        var count = 0
        _ = lock.acquire().addCallback { _ in count += 1 }
        #expect(count == 1)
        _ = lock.acquire().addCallback { _ in count += 1 }
        #expect(count == 1)
        lock.release()
        #expect(count == 2)
        lock.release()
        #expect(!lock.locked)
        let inner = Deferred<String>()
        var result: String?
        _ = lock.run { inner }.addCallback { result = $0 }
        #expect(lock.locked)
        inner.callback("done")
        #expect(result == "done")
        #expect(!lock.locked)
        _ = lock.acquire().addCallback { _ in }
        let waiter = lock.acquire()
        var err: Failure?
        waiter.addErrback { f in err = f; return lock }
        waiter.cancel()
        #expect(err?.check(CancelledError.self) == true)
        lock.release()
        #expect(!lock.locked)
    }

    @Test func case64_cancelAfterGrantIsHarmlessBeforeGrantCancels() {
        let lock = DeferredLock()
        let granted = lock.acquire()
        var errbacked = false
        granted.addErrback { _ in errbacked = true; return lock }
        granted.cancel()
        #expect(!errbacked)
        let sem = try! DeferredSemaphore(1)
        _ = sem.acquire().addCallback { _ in }
        let w = sem.acquire()
        var err: Failure?
        w.addErrback { f in err = f; return sem }
        w.cancel()
        #expect(err?.check(CancelledError.self) == true)
    }

    @Test func case65_semaphoreTokensAndInvalidCounts() throws {
        let sem = try DeferredSemaphore(13)
        var granted = 0
        for _ in 0..<13 { _ = sem.acquire().addCallback { _ in granted += 1 } }
        #expect(granted == 13)
        let cancelledWaiter = sem.acquire()
        cancelledWaiter.addErrback { _ in sem }
        let fourteenth = sem.acquire()
        _ = fourteenth.addCallback { _ in granted += 1 }
        #expect(granted == 13)
        cancelledWaiter.cancel()
        sem.release()
        #expect(granted == 14)
        #expect(throws: InvalidArgumentError.self) { try DeferredSemaphore(0) }
        #expect(throws: InvalidArgumentError.self) { try DeferredSemaphore(-1) }
    }

    @Test func case66_queueSizesAndBacklog() throws {
        let q = DeferredQueue<Int>(size: 2, backlog: 2)
        var got: [Int] = []
        _ = try q.get().addCallback { got.append($0) }
        _ = try q.get().addCallback { got.append($0) }
        #expect(throws: QueueUnderflow.self) { try q.get() }
        try q.put(1); try q.put(2)
        #expect(got == [1, 2])
        try q.put(3); try q.put(4)
        #expect(throws: QueueOverflow.self) { try q.put(5) }
        _ = try q.get().addCallback { got.append($0) }
        #expect(got == [1, 2, 3])
        #expect(throws: QueueOverflow.self) { try DeferredQueue<Int>(size: 0).put(1) }
        #expect(throws: QueueUnderflow.self) { try DeferredQueue<Int>(backlog: 0).get() }
    }

    @Test func case67_cancelledGetLeavesTheQueue() throws {
        let q = DeferredQueue<Int>()
        let g = try q.get()
        var err: Failure?
        g.addErrback { f in err = f; return 0 }
        g.cancel()
        #expect(err?.check(CancelledError.self) == true)
        try q.put(1)
        var got: Int?
        _ = try q.get().addCallback { got = $0 }
        #expect(got == 1)
    }

    @Test @MainActor func case68_lockAndSemaphoreWithBlocksReleaseOnThrow() async throws {
        let lock = DeferredLock()
        let v = try await lock.withLock { 5 }
        #expect(v == 5)
        #expect(!lock.locked)
        await #expect(throws: GenericError.self) {
            try await lock.withLock { throw GenericError() }
        }
        #expect(!lock.locked)
        let sem = try DeferredSemaphore(1)
        await #expect(throws: GenericError.self) {
            try await sem.withToken { throw GenericError() }
        }
        #expect(sem.tokens == 1)
    }
}
