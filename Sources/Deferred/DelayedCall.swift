/// A call scheduled for later by a ``ReactorTime`` (Twisted's `IDelayedCall`).
///
/// Contract: the call runs at most once, on the thread that owns the scheduler (the reactor thread, or whoever
/// drives a ``Clock``). `cancel()` on a call that already ran or was cancelled throws ``AlreadyCalledError`` /
/// ``AlreadyCancelledError`` in Twisted; here it is a no-op returning `false`, so `cancel` is always safe to call.
public protocol DelayedCall: AnyObject {
    /// The absolute time (in the scheduler's ``ReactorTime/seconds()``) at which the call runs.
    var time: Double { get }
    /// True until the call has run or been cancelled.
    var active: Bool { get }
    /// True once the call has started running.
    var called: Bool { get }
    /// True once the call was cancelled before it ran.
    var cancelled: Bool { get }
    /// Cancels the call. Returns false when it had already run or been cancelled.
    @discardableResult func cancel() -> Bool
    /// Reschedules the call to run `secondsFromNow` after the scheduler's current time.
    func reset(_ secondsFromNow: Double)
    /// Pushes the call back by `seconds` from its current time.
    func delay(_ seconds: Double)
}
