/// The time interface shared by the fake ``Clock`` and the reactor (Twisted's `IReactorTime`).
///
/// Contract: `seconds()` is monotonic; `callLater(delay, f)` runs `f` once, no earlier than `delay` seconds
/// from now, on the scheduler's thread. A negative delay means "as soon as possible".
public protocol ReactorTime: AnyObject {
    /// The current time in seconds. For ``Clock`` it starts at 0; for the reactor it is a monotonic clock.
    func seconds() -> Double
    /// Schedules `f` to run `delay` seconds from now; the returned call can be cancelled, reset or delayed.
    @discardableResult
    func callLater(_ delay: Double, _ f: @escaping () -> Void) -> any DelayedCall
}
