import CTwisterShim
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loop-thread state behind run/stop and the system event triggers.
struct Lifecycle {
    struct Trigger {
        let id: Int
        let event: SystemEvent
        let phase: SystemEventPhase
        let f: @ReactorActor () -> Deferred<Void>?
    }
    var running = false
    var stopping = false
    var startupDone = false
    var triggers: [Trigger] = []
    var nextTriggerID = 0
    var stopWaiters: [@Sendable () -> Void] = []
}

extension Reactor {
    /// True between the end of startup and the end of shutdown (Twisted's `running`). Reactor thread only.
    @ReactorActor public var running: Bool { lifecycle.running }

    /// Adds a trigger that runs `f` at `phase` of `event`.
    ///
    /// A trigger fires **once**: the next time its event fires, and it is removed as it runs (Twisted's three-phase
    /// events pop their triggers the same way). This holds for startup and shutdown alike, so across
    /// ``run(installSignalHandlers:)``/``stop()`` cycles a trigger runs in the first cycle after it was added, not in
    /// every one; to run in every cycle, add it again (for example from a startup trigger). A startup trigger added
    /// while the reactor is running waits for the next `run()`; ``callWhenRunning(_:)`` runs at once instead.
    @ReactorActor @discardableResult
    public func addSystemEventTrigger(_ phase: SystemEventPhase, _ event: SystemEvent,
                                      _ f: @escaping @ReactorActor () -> Void) -> SystemEventTriggerID {
        addSystemEventTrigger(phase, event, deferred: { f(); return nil })
    }

    /// Adds a trigger whose Deferred is awaited: the next phase starts once every "before" trigger's Deferred
    /// has fired. A failure does not hold the event back (Twisted's rule); it is reported through ``logError(_:)``
    /// (the unhandled-error hook, ``DeferredDebug/setUnhandledErrorHandler(_:)``; standard error by default), as
    /// Twisted logs it. Fires once, like every trigger (see ``addSystemEventTrigger(_:_:_:)``).
    @ReactorActor @discardableResult
    public func addSystemEventTrigger(_ phase: SystemEventPhase, _ event: SystemEvent,
                                      deferred f: @escaping @ReactorActor () -> Deferred<Void>?) -> SystemEventTriggerID {
        lifecycle.nextTriggerID += 1
        let id = lifecycle.nextTriggerID
        lifecycle.triggers.append(.init(id: id, event: event, phase: phase, f: f))
        return SystemEventTriggerID(value: id)
    }

    /// Removes a trigger added earlier; unknown ids are ignored.
    @ReactorActor
    public func removeSystemEventTrigger(_ id: SystemEventTriggerID) {
        lifecycle.triggers.removeAll { $0.id == id.value }
    }

    /// Runs the triggers of `event`: every "before" trigger, then (once their Deferreds have fired) every "during",
    /// then every "after", removing each as it runs (a trigger fires once). A trigger's failed Deferred is
    /// reported through ``logError(_:)`` and does not stop the event. The returned Deferred fires when all have run.
    @ReactorActor
    public func fireSystemEvent(_ event: SystemEvent) -> Deferred<Void> {
        let done = Deferred<Void>()
        /// Takes (removes) the triggers of `event` at `phase`, in the order they were added.
        let take: @ReactorActor (SystemEventPhase) -> [Lifecycle.Trigger] = { [self] phase in
            let due = lifecycle.triggers.filter { $0.event == event && $0.phase == phase }
            lifecycle.triggers.removeAll { $0.event == event && $0.phase == phase }
            return due
        }
        let report: @ReactorActor (Deferred<Void>) -> Deferred<Void> = { d in
            d.addErrback { (f: Failure) -> Void in _ = logError(f) }
        }
        let waits = take(.before).compactMap { $0.f() }.map(report)
        let rest: @ReactorActor () -> Void = {
            // "during" triggers added by a "before" trigger run too (taken only now).
            for phase in [SystemEventPhase.during, .after] {
                for t in take(phase) { if let d = t.f() { _ = report(d) } }
            }
            done.callback(())
        }
        if waits.isEmpty {
            rest()
        } else {
            let remaining = Counter(waits.count)
            for d in waits {
                _ = d.addBoth { (_: Result<Void, Failure>) -> Void in
                    remaining.value -= 1
                    if remaining.value == 0 { rest() }
                }
            }
        }
        return done
    }

    /// Runs `f` once the reactor is running: at once (in the next loop pass) if it already is, otherwise after
    /// the startup triggers of ``run(installSignalHandlers:)``. Thread-safe.
    public func callWhenRunning(_ f: @escaping @Sendable @ReactorActor () -> Void) {
        callFromThread { [self] in
            if lifecycle.running && lifecycle.startupDone { f() } else { addSystemEventTrigger(.after, .startup, f) }
        }
    }

    /// Runs the reactor from the calling thread's point of view: fires the startup event on the loop thread and
    /// blocks the caller until ``stop()`` has fired the shutdown event. Must not be called on the reactor thread.
    ///
    /// With `installSignalHandlers` (the default), SIGINT and SIGTERM call ``stop()`` while `run` is blocked;
    /// their previous dispositions are restored when it returns.
    public func run(installSignalHandlers: Bool = true) {
        precondition(!isInReactorThread, "Reactor.run() blocks; call it from another thread (e.g. the main thread)")
        let finished = DispatchSemaphore(value: 0)
        // SIGINT/SIGTERM go through a self-pipe: the C handler writes the signal number, a small thread reads it
        // and calls stop(). (A DispatchSource signal source lost SIGTERM after the process had run out of
        // descriptors once: the signal stayed pending on a libdispatch thread.)
        var pipeFDs: [Int32] = [-1, -1]
        var catcher: Thread?
        if installSignalHandlers, twister_pipe(&pipeFDs) == 0 {
            let readFD = pipeFDs[0]
            _ = twister_set_nonblocking(readFD, 0)
            if twister_catch_stop_signals(pipeFDs[1]) == 0 {
                let t = Thread { [self] in
                    nameCurrentThread("twister-signals")
                    var byte: UInt8 = 0
                    while true {
                        let n = read(readFD, &byte, 1)
                        if n == 1 { self.stop(); continue }
                        if n < 0 && errno == EINTR { continue }
                        break  // the write end was closed: run() returned
                    }
                    close(readFD)
                }
                t.name = "twister-signals"
                t.start()
                catcher = t
            }
        }
        callFromThread { [self] in
            precondition(!lifecycle.running, "the reactor is already running")
            lifecycle.running = true
            lifecycle.startupDone = false
            lifecycle.stopWaiters.append { finished.signal() }
            _ = fireSystemEvent(.startup).addCallback { [self] (_: Void) -> Void in
                lifecycle.startupDone = true
                // callWhenRunning calls are one-shot "after startup" triggers.
            }
        }
        finished.wait()
        if catcher != nil {
            twister_restore_stop_signals()
            close(pipeFDs[1])  // ends the catcher thread
        } else if pipeFDs[0] >= 0 {
            close(pipeFDs[0]); close(pipeFDs[1])
        }
    }

    /// Stops the reactor: in a later loop pass, fires the shutdown event (before, during, after), then releases
    /// ``run(installSignalHandlers:)``. Thread-safe. Does nothing when the reactor is not running or already
    /// stopping. Connections and timers are left alone; the loop thread keeps serving.
    public func stop() {
        callFromThread { [self] in
            guard lifecycle.running, !lifecycle.stopping else { return }
            lifecycle.stopping = true
            _ = fireSystemEvent(.shutdown).addBoth { [self] (_: Result<Void, Failure>) -> Void in
                lifecycle.running = false
                lifecycle.stopping = false
                lifecycle.startupDone = false
                let waiters = lifecycle.stopWaiters
                lifecycle.stopWaiters = []
                for w in waiters { w() }
            }
        }
    }
}

/// A mutable counter captured by callbacks.
private final class Counter {
    var value: Int
    init(_ value: Int) { self.value = value }
}
