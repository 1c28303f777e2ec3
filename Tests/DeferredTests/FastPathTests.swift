import Testing
@testable import TwisterDeferred

/// The hot path's shortcuts (boxed results overwritten in place, the shared Void box, the entry buffer) keep the
/// chain's behaviour: these pin the corner cases each shortcut has to respect.
@Suite struct FastPathTests {
    /// A step whose output has its input's type overwrites the input box in place; a step that, while running,
    /// makes another chain steal this Deferred's result must not overwrite the stolen value.
    @Test func aStepWhoseDeferredIsStolenMidStepLeavesTheStolenValueAlone() {
        let d = Deferred<Int>()
        let thief = Deferred<Void>()
        var stolen: Int?
        var after: Any?
        _ = thief.addDeferredCallback { _ in d }.addCallback { stolen = $0 }
        _ = d.addCallback { x in
            thief.callback(())          // steals d's current result (x) while this step runs
            return x + 100
        }.addBoth { r -> Void in after = r }
        d.callback(1)
        #expect(stolen == 1)
        // d's own chain goes on with the step's output, exactly as before the shortcut.
        if case .success(let v)? = after as? Result<Int, Failure> { #expect(v == 101) } else { Issue.record("\(String(describing: after))") }
    }

    /// Values seen through the result getter while a step runs are the step's input.
    @Test func theResultDuringAStepIsItsInput() {
        let d = Deferred<Int>()
        var seen: Int?
        d.addCallback { x in
            if case .success(let v)? = d.result { seen = v }
            return x * 2
        }
        d.callback(21)
        #expect(seen == 21)
        #expect(d.result.map { (try? $0.get()) ?? -1 } == 42)
    }

    /// The dynamic-cast fallback still applies where the stored type is not the handle's type.
    @Test func castsOtherThanTheExactTypeStillWork() {
        let d = Deferred<Int>()
        var any: Any?
        var optional: Int??
        var described: String?
        Deferred<Any>(core: d.core).addCallback { v in any = v; return v }       // Int seen as Any
        d.addCallback { x in x + 1 }                                           // Any holding an Int, as Int
        Deferred<Int?>(core: d.core).addCallback { v in optional = v; return v }
        d.addCallback { x in x + 1 }                                           // Int? holding an Int, as Int
        _ = Deferred<any CustomStringConvertible>(core: d.core).addCallback { described = $0.description }
        d.callback(5)
        #expect(any as? Int == 5)
        #expect(optional == .some(.some(6)))
        #expect(described == "7")
    }

    /// A mismatched handle still fails the chain with DeferredTypeMismatchError naming both types.
    @Test func aStaleHandleStillFailsWithTheMismatchError() {
        let d = Deferred<Int>()
        let stale = d
        var error: DeferredTypeMismatchError?
        _ = d.addCallback { "s\($0)" }
        stale.addCallback { $0 + 1 }.addErrback { f in error = f.value(as: DeferredTypeMismatchError.self); return 0 }
        d.callback(1)
        #expect(error?.expected == "Int")
        #expect(error?.actual == "String")
    }

    /// Void results share one box; steps after them, and awaits, see `()` as before.
    @Test func voidResultsFlowOn() async throws {
        let d = Deferred<Void>()
        var n = 0
        _ = d.addCallback { n += 1 }.addCallback { n += 1 }.addCallback { () -> Int in n }
        d.callback(())
        #expect(n == 2)
        let v = Deferred<Void>()
        v.callback(())
        try await v.value
        #expect(v.hasResult)
    }

    /// Steps added while the chain runs are queued behind the pending ones, whatever the buffer does meanwhile
    /// (grows, or moves the pending steps to its front).
    @Test func stepsAddedWhileRunningKeepTheirOrderAcrossBufferMoves() {
        let d = Deferred<Int>()
        var order: [Int] = []
        for i in 0..<10 {
            d.addCallback { x in
                order.append(i)
                if i % 3 == 0 {
                    for j in 0..<5 { d.addCallback { y in order.append(100 * (i + 1) + j); return y } }
                }
                return x
            }
        }
        d.callback(0)
        var expected = Array(0..<10)
        for i in stride(from: 0, to: 10, by: 3) { expected += (0..<5).map { 100 * (i + 1) + $0 } }
        #expect(order == expected)
        // Later adds on the fired Deferred run at once, from an emptied buffer.
        d.addCallback { x in order.append(-1); return x }
        #expect(order.last == -1)
    }

    /// A long chain (many buffer growths) completes with every step run once.
    @Test func aLongChainRunsEveryStepOnce() {
        let d = Deferred<Int>()
        var h = d
        for _ in 0..<10_000 { h = h.addCallback { $0 + 1 } }
        var got: Int?
        _ = h.addCallback { got = $0 }
        d.callback(0)
        #expect(got == 10_000)
    }
}
