/// Calls a function every `interval` seconds (Twisted's `task.LoopingCall`).
///
/// Contract: `start(interval, now:)` returns a Deferred that fires with the LoopingCall when `stop()` is called,
/// or fails (and the loop stops) when a call throws or its Deferred fails. With `now` the first call happens
/// synchronously inside `start`. The next call is scheduled only after the previous one (and its Deferred)
/// finished, at the next multiple of `interval` after the start time that is strictly in the future: missed
/// intervals are skipped (``withCount(clock:_:)`` tells the function how many elapsed). Runs on the clock's thread.
public final class LoopingCall {
    private let clock: any ReactorTime
    private var f: (() throws -> Deferred<Void>)!
    public private(set) var running = false
    public private(set) var interval: Double = 0
    private var startTime: Double = 0
    private var runAtStart = true
    private var call: (any DelayedCall)?
    private var deferred: Deferred<LoopingCall>?
    private var realLastTime: Double?

    /// A loop calling a synchronous `f`.
    public convenience init(clock: any ReactorTime, _ f: @escaping () throws -> Void) {
        self.init(clock: clock, deferred: { try f(); return Deferred.succeed(()) })
    }

    /// A loop calling `f` and waiting for its Deferred before scheduling the next call.
    @_disfavoredOverload
    public init(clock: any ReactorTime, deferred f: @escaping () throws -> Deferred<Void>) {
        self.clock = clock
        self.f = f
    }

    private init(clock: any ReactorTime) { self.clock = clock }

    /// A loop whose function receives the number of intervals elapsed since its last call (at least 1).
    public static func withCount(clock: any ReactorTime, _ countCallable: @escaping (Int) throws -> Void) -> LoopingCall {
        withCount(clock: clock, deferred: { count in try countCallable(count); return Deferred.succeed(()) })
    }

    /// A loop whose function receives the number of intervals elapsed since its last call (at least 1) and
    /// returns a Deferred (Twisted's `withCount` with a function returning a Deferred): the next call is
    /// scheduled only once that Deferred fires, so one slower than the interval delays the next call (which then
    /// gets the count of every interval elapsed meanwhile); a failure stops the loop and fails the Deferred
    /// `start` returned. Disfavoured like ``init(clock:deferred:)``: a trailing closure with several statements
    /// and no `return` is the synchronous form; pass a Deferred-returning function with the `deferred:` label.
    @_disfavoredOverload
    public static func withCount(clock: any ReactorTime,
                                 deferred countCallable: @escaping (Int) throws -> Deferred<Void>) -> LoopingCall {
        let lc = LoopingCall(clock: clock)
        lc.f = { [unowned lc] in
            let now = lc.clock.seconds()
            if lc.interval == 0 {
                lc.realLastTime = now
                return try countCallable(1)
            }
            var last = lc.realLastTime ?? lc.startTime
            if lc.realLastTime == nil && lc.runAtStart { last -= lc.interval }
            let count = lc.intervalOf(now) - lc.intervalOf(last)
            if count > 0 {
                lc.realLastTime = now
                return try countCallable(count)
            }
            return Deferred.succeed(())
        }
        return lc
    }

    private func intervalOf(_ t: Double) -> Int { Int((t - startTime) / interval) }

    /// Starts the loop. `interval` must be >= 0 (else ``InvalidArgumentError``); starting a running loop is an error.
    @discardableResult
    public func start(_ interval: Double, now: Bool = true) throws -> Deferred<LoopingCall> {
        precondition(!running, "LoopingCall.start() while already running")
        guard interval >= 0 else { throw InvalidArgumentError("interval must be >= 0") }
        running = true
        let d = Deferred<LoopingCall>()
        deferred = d
        startTime = clock.seconds()
        self.interval = interval
        runAtStart = now
        if now { fire() } else { schedule(from: startTime) }
        return d
    }

    /// Stops the loop. The start Deferred fires now, or when an outstanding call's Deferred completes.
    public func stop() {
        precondition(running, "LoopingCall.stop() while not running")
        running = false
        if let c = call {
            c.cancel()
            call = nil
            let d = deferred
            deferred = nil
            d?.callback(self)
        }
    }

    /// Restarts the timing from now.
    public func reset() {
        precondition(running, "LoopingCall.reset() while not running")
        if let c = call {
            c.cancel()
            call = nil
            startTime = clock.seconds()
            schedule(from: startTime)
        }
    }

    private func fire() {
        call = nil
        maybeDeferred(f).addCallbacks({ [self] _ in
            if running {
                schedule(from: clock.seconds())
            } else {
                let d = deferred
                deferred = nil
                d?.callback(self)
            }
        }, { [self] failure in
            running = false
            let d = deferred
            deferred = nil
            d?.errback(failure)
        })
    }

    private func schedule(from when: Double) {
        var delay: Double = 0
        if interval != 0 {
            let runningFor = when - startTime
            let untilNext = interval - runningFor.truncatingRemainder(dividingBy: interval)
            delay = (when == when + untilNext) ? interval : untilNext
        }
        call = clock.callLater(delay) { [weak self] in self?.fire() }
    }
}

/// A Deferred that fires `delay` seconds from now with `f`'s result (Twisted's `task.deferLater`).
/// Cancelling it cancels the timer (f never runs) and fails it with ``CancelledError``.
public func deferLater<T>(_ clock: any ReactorTime, _ delay: Double, _ f: @escaping () throws -> T) -> Deferred<T> {
    var call: (any DelayedCall)?
    let d = Deferred<T>(canceller: { _ in call?.cancel() })
    call = clock.callLater(delay) {
        do { d.callback(try f()) } catch { d.errback(error) }
    }
    return d
}

/// A Deferred that fires `delay` seconds from now with `f`'s Deferred's result.
public func deferLater<T>(_ clock: any ReactorTime, _ delay: Double, _ f: @escaping () throws -> Deferred<T>) -> Deferred<T> {
    deferLater(clock, delay, { () }).addDeferredCallback { _ in try f() }
}

/// A Deferred that fires with `()` `delay` seconds from now.
public func deferLater(_ clock: any ReactorTime, _ delay: Double) -> Deferred<Void> {
    deferLater(clock, delay, { () })
}
