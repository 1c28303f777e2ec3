import Testing
@testable import TwisterProtocols
import TwisterDeferred

@Suite @ReactorActor struct PipelinedReplyQueueTests {
    /// The owner of a queue in these tests: counts the timeouts the queue reports.
    @ReactorActor final class Owner {
        var queue: PipelinedReplyQueue<Int>
        var expired = 0
        init(timeout: Double, clock: Clock) {
            queue = PipelinedReplyQueue(timeout: timeout, clock: clock)
        }
    }

    func owner(_ clock: Clock, timeout: Double = 10) -> Owner {
        let o = Owner(timeout: timeout, clock: clock)
        o.queue.onTimeout = { [o] in if o.queue.timerFired() { o.expired += 1 } }
        return o
    }

    @Test func repliesComeOffInOrderAndTheTimerStopsWhenTheQueueEmpties() {
        let clock = Clock()
        let o = owner(clock)
        o.queue.append(1)
        o.queue.append(contentsOf: [2, 3])
        #expect(o.queue.count == 3 && o.queue.first == 1)
        #expect([o.queue.popFirst(), o.queue.popFirst(), o.queue.popFirst()] == [1, 2, 3])
        #expect(o.queue.isEmpty)
        clock.advance(100)
        #expect(o.expired == 0)
    }

    @Test func theTimeoutMeasuresSilenceAndReArmsForWhatIsLeft() {
        let clock = Clock()
        let o = owner(clock)
        o.queue.append(1)
        clock.advance(6)
        o.queue.noteActivity()        // bytes at t=6: the silence starts again
        clock.advance(4)              // t=10: the timer fires early and re-arms for 6 more seconds
        #expect(o.expired == 0)
        clock.advance(5.9)
        #expect(o.expired == 0)
        clock.advance(0.2)            // t=16.1: 10 s of silence
        #expect(o.expired == 1)
    }

    @Test func abandonKeepsTheFirstReasonAndHandsBackEveryRequest() {
        let clock = Clock()
        let o = owner(clock)
        o.queue.append(contentsOf: [1, 2])
        #expect(o.queue.abandon(ConnectionError.done) == [1, 2])
        #expect(o.queue.abandon(ConnectionError.aborted).isEmpty)
        #expect(o.queue.closedReason as? ConnectionError == .done)
        clock.advance(100)
        #expect(o.expired == 0)
    }

    @Test func noClockOrNoTimeoutMeansNoTimer() {
        let clock = Clock()
        let o = owner(clock, timeout: 0)
        o.queue.append(1)
        clock.advance(1000)
        #expect(o.expired == 0 && o.queue.count == 1)
    }
}
