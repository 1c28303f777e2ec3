/// A call scheduled with ``Reactor/callLater(_:_:)`` (Twisted's `DelayedCall`).
///
/// Lives on the reactor thread: create, cancel, reset and delay it there only. It runs at most once, on the
/// reactor thread, no earlier than ``time``.
public final class ReactorDelayedCall: DelayedCall {
    /// Absolute monotonic nanoseconds.
    var deadline: Int64
    var seq: UInt64 = 0
    var heapIndex = -1
    var function: (() -> Void)?
    unowned let reactor: Reactor

    public private(set) var called = false
    public private(set) var cancelled = false

    init(reactor: Reactor, deadline: Int64, function: @escaping () -> Void) {
        self.reactor = reactor
        self.deadline = deadline
        self.function = function
    }

    public var time: Double { Double(deadline) / 1e9 }
    public var active: Bool { !called && !cancelled }

    @discardableResult
    public func cancel() -> Bool {
        guard active else { return false }
        reactor.assertInReactorThread()
        cancelled = true
        function = nil
        reactor.timers.remove(self)
        return true
    }

    public func reset(_ secondsFromNow: Double) {
        guard active else { return }
        reactor.assertInReactorThread()
        deadline = Reactor.nanoseconds(from: reactor.nowNanoseconds(), adding: secondsFromNow)
        reactor.timers.update(self)
    }

    public func delay(_ seconds: Double) {
        guard active else { return }
        reactor.assertInReactorThread()
        deadline = Reactor.nanoseconds(from: deadline, adding: seconds)
        reactor.timers.update(self)
    }

    /// Runs the call (the reactor has already removed it from the heap).
    func fire() {
        guard let f = function else { return }
        called = true
        function = nil
        f()
    }
}
