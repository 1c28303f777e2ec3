/// A fake, manually advanced time source for tests (Twisted's `task.Clock`).
///
/// Contract: `seconds()` starts at 0 and moves only with `advance`/`pump`. Calls are kept in time order, ties in
/// the order they were scheduled. `advance(dt)` moves time first, then runs every call due (time ≤ now),
/// earliest first; each sees the new time. A call scheduled during an advance that is already due runs in that
/// same advance (Twisted's Clock rule, #5962; the real reactor waits one turn instead). A call that throws is not
/// possible here (calls are non-throwing closures). Not thread-safe: use it from one thread.
public final class Clock: ReactorTime {
    private var now: Double = 0
    private var calls: [ClockCall] = []
    private var sequence = 0

    public init() {}

    public func seconds() -> Double { now }

    /// The calls still pending, in the order they will run.
    public var pendingCalls: [any DelayedCall] { calls }

    @discardableResult
    public func callLater(_ delay: Double, _ f: @escaping () -> Void) -> any DelayedCall {
        let c = ClockCall(clock: self, time: now + delay, f: f)
        insert(c)
        return c
    }

    /// Moves time forward by `amount` and runs every call that is due.
    public func advance(_ amount: Double) {
        now += amount
        while let first = calls.first, first.time <= now {
            calls.removeFirst()
            first.run()
        }
    }

    /// Advances by each amount in turn (Twisted's `pump`).
    public func pump(_ timings: [Double]) {
        for t in timings { advance(t) }
    }

    fileprivate func insert(_ c: ClockCall) {
        sequence += 1
        c.sequence = sequence
        // Stable: after every call with time <= c.time.
        var lo = 0, hi = calls.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if calls[mid].time <= c.time { lo = mid + 1 } else { hi = mid }
        }
        calls.insert(c, at: lo)
    }

    fileprivate func remove(_ c: ClockCall) {
        if let i = calls.firstIndex(where: { $0 === c }) { calls.remove(at: i) }
    }
}

/// A call scheduled on a ``Clock``.
final class ClockCall: DelayedCall {
    weak var clock: Clock?
    private(set) var time: Double
    var sequence = 0
    private var f: (() -> Void)?
    private(set) var called = false
    private(set) var cancelled = false

    init(clock: Clock, time: Double, f: @escaping () -> Void) {
        self.clock = clock
        self.time = time
        self.f = f
    }

    var active: Bool { !called && !cancelled }

    func run() {
        called = true
        let f = self.f
        self.f = nil
        f?()
    }

    @discardableResult func cancel() -> Bool {
        guard active else { return false }
        cancelled = true
        f = nil
        clock?.remove(self)
        return true
    }

    func reset(_ secondsFromNow: Double) {
        guard active, let clock else { return }
        clock.remove(self)
        time = clock.seconds() + secondsFromNow
        clock.insert(self)
    }

    func delay(_ seconds: Double) {
        guard active, let clock else { return }
        clock.remove(self)
        time += seconds
        clock.insert(self)
    }
}
