import CTwisterShim
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reactor: one event loop thread that owns every protocol, transport and timer (Twisted's reactor).
///
/// ## Threads
/// - ``Reactor/shared`` starts its loop on a dedicated thread ("twister-reactor") the first time it is used: the
///   first job enqueued (`Task { @ReactorActor in … }`), the first `callFromThread`, or anything else that touches
///   it. The thread then lives as long as the process. Code isolated to ``ReactorActor`` runs there.
/// - The only thread-safe entries are ``callFromThread(_:)``, ``stop()``, ``run(installSignalHandlers:)`` and the
///   executor's `enqueue`. Everything else (callLater, listen, connect, transports) must be called on the reactor
///   thread; the compiler checks it through ``ReactorActor`` wherever the API is isolated, and `callLater`
///   checks it at run time.
///
/// ## Swift concurrency
/// The reactor is a `SerialExecutor` (``ReactorActor`` runs on it) and a `TaskExecutor` (a task with the reactor
/// as executor preference runs its nonisolated code on the loop thread). Jobs run in FIFO order, at most 4096 per
/// loop pass (jobs enqueued during the pass included), never re-entrantly — except the first job of a
/// `Deferred { }` body's task, which runs nested in the caller like `Task.immediate` (``ReactorActor`` is
/// `ImmediateTaskStarting`). A cross-thread enqueue wakes the selector (eventfd/pipe) only when the loop
/// may be asleep ("wake pending" flag, as in SwiftNIO); an enqueue from the loop thread never makes a syscall.
///
/// ## One loop pass
/// Wait on the selector (blocking only when no job is queued, until the earliest timer) → dispatch I/O events →
/// run due timers → run queued jobs and `callFromThread` calls → flush transports written to during the pass.
///
/// ## run and stop
/// ``run(installSignalHandlers:)`` blocks the *calling* thread (typically the main thread) until ``stop()``: it
/// fires the startup triggers and `callWhenRunning` calls on the loop thread and, by default, makes SIGINT and
/// SIGTERM call ``stop()``. ``stop()`` fires the shutdown triggers (before, during, after; a "before" trigger's
/// Deferred is awaited) and then releases `run()`. The loop thread keeps serving after stop (so tasks awaiting
/// the reactor never hang); `run()` may be called again.
///
/// Making the reactor ignores SIGPIPE for the process (socket writes report EPIPE instead).
public final class Reactor: SerialExecutor, TaskExecutor, ReactorTime, @unchecked Sendable {
    // @unchecked Sendable: the cross-thread state (`incoming`, the run waiters) is behind a Mutex; every other
    // stored var is touched only on the loop thread (the public API that reaches it is @ReactorActor or checks
    // the thread at run time).

    /// The process-wide reactor. Its selector comes from `TWISTER_REACTOR` (see ``SelectorKind``).
    public static let shared = Reactor(selector: SelectorKind.fromEnvironment())

    /// The multiplexer in use.
    public let selectorKind: SelectorKind
    let selector: any Selector
    private let id: UInt64
    private static let nextID = Atomic<UInt64>(1)

    // MARK: cross-thread state

    private enum Work {
        case job(UnownedJob)
        case call(@Sendable @ReactorActor () -> Void)
    }
    private struct Incoming {
        var work: [Work] = []
        /// True while the loop is known to be awake (or already woken): enqueuers need not write to the waker.
        var wakePending = true
    }
    private let incoming = Mutex(Incoming())

    // MARK: loop-thread state
    // The hot ones are `@exclusivity(unchecked)`: touched only on the loop thread, in short accesses that never
    // overlap (no inout access spans a callback), and the dynamic exclusivity check cost ~77 instructions each.

    @exclusivity(unchecked) var timers = TimerHeap()
    @exclusivity(unchecked) private var batch: [Work] = []
    @exclusivity(unchecked) private var batchIndex = 0
    @exclusivity(unchecked) private var registrations: [Registration?] = []
    @exclusivity(unchecked) private var generation: UInt32 = 0
    @exclusivity(unchecked) private var readyEvents: [ReadyEvent] = Array(repeating: ReadyEvent(), count: 64)
    @exclusivity(unchecked) private var tickEndHandlers: [any TickEndHandler] = []
    @exclusivity(unchecked) private var tickEndSpare: [any TickEndHandler] = []
    /// A reused scratch area for datagram and pipe reads (64 KiB).
    let readScratch: UnsafeMutableRawBufferPointer = .allocate(byteCount: 65536, alignment: 16)
    /// Bytes asked of the kernel per `read` on a stream.
    static let readChunkSize = 65536
    /// The ByteBuffer stream transports read into and hand to `dataReceived`; reused when the protocol did not
    /// keep it (a kept buffer makes the next `clear()` start fresh storage).
    @exclusivity(unchecked) var readBuffer = ByteBuffer(capacity: Reactor.readChunkSize)
    var lifecycle = Lifecycle()
    /// Loop passes made so far (loop thread only): lets tests see whether work happened in the same pass.
    @exclusivity(unchecked) private(set) var passCount = 0
    /// Passes whose job run ended with its budget (``maxJobsPerPass``) spent (loop thread only): lets tests tell
    /// "waited for a later pass because other work had used this pass's budget" from a missed same-pass run.
    @exclusivity(unchecked) private(set) var jobBudgetExhaustions = 0
    let threadPoolStorage = Mutex<ThreadPool?>(nil)

    static let maxJobsPerPass = 4096

    private struct Registration {
        let handler: any IOHandler
        var interest: Interest
        let generation: UInt32
    }

    /// Makes a reactor with the given selector and starts its loop thread. Only ``shared`` may run
    /// ``ReactorActor`` code; other instances are for tests of the loop itself.
    init(selector kind: SelectorKind) {
        selectorKind = kind
        selector = makeSelector(kind)
        id = Reactor.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        // Writing to a socket the peer has reset must fail with EPIPE (ending the connection with `.lost`), not
        // kill the process: ignore SIGPIPE, as Python (hence Twisted) does.
        signal(SIGPIPE, SIG_IGN)
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "twister-reactor"
        thread.start()
    }

    /// True when the calling thread is this reactor's loop thread.
    public var isInReactorThread: Bool { twister_current_reactor_id() == id }

    @inline(__always)
    func assertInReactorThread(_ what: StaticString = "this call", file: StaticString = #fileID, line: UInt = #line) {
        precondition(isInReactorThread, "\(what) must be made on the reactor thread (use callFromThread)", file: file, line: line)
    }

    // MARK: executor

    public func enqueue(_ job: consuming ExecutorJob) {
        if isInReactorThread && immediateStartArmed {
            // `Deferred { }` creating its body's task (see `ImmediateTaskStarting`): run the first job now, nested in
            // the caller, exactly as `Task.immediate` would, but as the reactor with itself as task executor.
            immediateStartArmed = false
            job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            return
        }
        push(.job(UnownedJob(job)))
    }

    /// Set by ``ReactorActor``'s `armImmediateStart` (loop thread only, read only after checking the thread).
    @exclusivity(unchecked) var immediateStartArmed = false

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
    public func checkIsolated() { precondition(isInReactorThread, "not on the reactor thread") }
    public func isIsolatingCurrentContext() -> Bool? { isInReactorThread }

    /// Runs `f` on the reactor thread in a later loop pass (Twisted's `callFromThread`). Thread-safe; calls from one
    /// thread run in the order they were made. Never runs `f` synchronously, even when called on the reactor thread.
    public func callFromThread(_ f: @escaping @Sendable @ReactorActor () -> Void) {
        push(.call(f))
    }

    @inline(__always)
    private func push(_ w: Work) {
        let needWake = incoming.withLock { s -> Bool in
            s.work.append(w)
            if s.wakePending { return false }
            s.wakePending = true
            return true
        }
        if needWake && !isInReactorThread { selector.wakeup() }
    }

    // MARK: time

    /// Monotonic seconds (CLOCK_MONOTONIC), the reactor's time base.
    public func seconds() -> Double { Double(twister_monotonic_ns()) / 1e9 }

    func nowNanoseconds() -> Int64 { twister_monotonic_ns() }

    static func nanoseconds(from base: Int64, adding seconds: Double) -> Int64 {
        guard seconds > 0 else { return base }
        let ns = seconds * 1e9
        return ns >= Double(Int64.max - base) ? Int64.max : base + Int64(ns)
    }

    /// Runs `f` on the reactor thread `delay` seconds from now (at the earliest); a delay of 0 or less runs it in
    /// the next loop pass. Calls due at the same time run in scheduling order. Must be called on the reactor
    /// thread. The returned call can be cancelled (O(log n)), reset or delayed.
    @discardableResult
    public func callLater(_ delay: Double, _ f: @escaping () -> Void) -> any DelayedCall {
        scheduleCall(delay, f)
    }

    /// ``callLater(_:_:)`` returning the concrete call type.
    @discardableResult
    public func scheduleCall(_ delay: Double, _ f: @escaping () -> Void) -> ReactorDelayedCall {
        assertInReactorThread("callLater")
        let c = ReactorDelayedCall(reactor: self, deadline: Self.nanoseconds(from: nowNanoseconds(), adding: delay), function: f)
        timers.insert(c)
        return c
    }

    /// The calls scheduled and still pending (Twisted's `getDelayedCalls`). Reactor thread only.
    public var delayedCalls: [ReactorDelayedCall] {
        assertInReactorThread("delayedCalls")
        return timers.items
    }

    // MARK: I/O registration (loop thread)

    /// Registers `handler` for events on `fd`. The handler is retained until ``deregister(fd:)``.
    func register(fd: Int32, interest: Interest, handler: any IOHandler) throws(ConnectionError) {
        generation &+= 1
        let tag = UInt64(UInt32(bitPattern: fd)) | (UInt64(generation) << 32)
        try selector.register(fd: fd, interest: interest, tag: tag)
        let i = Int(fd)
        if i >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: max(i + 1 - registrations.count, registrations.count)))
        }
        registrations[i] = Registration(handler: handler, interest: interest, generation: generation)
    }

    /// Changes what `fd` waits for; no syscall when it is unchanged.
    func setInterest(fd: Int32, _ interest: Interest) {
        let i = Int(fd)
        guard i < registrations.count, var r = registrations[i], r.interest != interest else { return }
        r.interest = interest
        registrations[i] = r
        let tag = UInt64(UInt32(bitPattern: fd)) | (UInt64(r.generation) << 32)
        try? selector.reregister(fd: fd, interest: interest, tag: tag)
    }

    func interest(fd: Int32) -> Interest {
        let i = Int(fd)
        return i < registrations.count ? registrations[i]?.interest ?? [] : []
    }

    /// Stops watching `fd` (call before closing it). Events already collected for it are dropped.
    func deregister(fd: Int32) {
        let i = Int(fd)
        guard i < registrations.count, registrations[i] != nil else { return }
        selector.deregister(fd: fd)
        registrations[i] = nil
    }

    /// Asks for `handler.tickEnded()` at the end of this loop pass (transports flush their writes there).
    func scheduleTickEnd(_ handler: any TickEndHandler) {
        tickEndHandlers.append(handler)
    }

    // MARK: the loop

    private func runLoop() {
        nameCurrentThread("twister-reactor")
        twister_set_current_reactor_id(id)
        // One pass's reactor-isolated work, entered from this plain thread. Made once for the life of the loop:
        // a closure literal per pass (through `withReactorIsolation`) cost two heap allocations per pass.
        let isolatedPass: @ReactorActor (Int) -> Void = { n in self.runPass(n) }
        // Safe: runLoop runs only on the loop thread, which is the reactor's executor (what @ReactorActor means);
        // the bit-cast only drops the isolation from the function type (same representation).
        let pass = unsafeBitCast(isolatedPass, to: ((Int) -> Void).self)
        while true {
            var blocking = false
            var deadline: Int64? = 0
            if batchIndex >= batch.count && tickEndHandlers.isEmpty {
                let idle = incoming.withLock { s -> Bool in
                    if s.work.isEmpty { s.wakePending = false; return true }
                    return false
                }
                if idle { blocking = true; deadline = timers.first?.deadline }
            }
            let n = selector.wait(deadline: deadline, events: &readyEvents)
            if blocking { incoming.withLock { $0.wakePending = true } }
            passCount &+= 1
            pass(n)
        }
    }

    @ReactorActor
    private func runPass(_ n: Int) {
        if n > 0 { dispatch(n) }
        runTimers()
        runWork()
        runTickEnd()
    }

    @ReactorActor
    private func dispatch(_ n: Int) {
        for k in 0..<n {
            let e = readyEvents[k]
            let fd = Int(UInt32(truncatingIfNeeded: e.tag))
            let gen = UInt32(truncatingIfNeeded: e.tag >> 32)
            // Stale-event guard: the fd may have been closed (and even reused) earlier in this batch.
            guard fd < registrations.count, let r = registrations[fd], r.generation == gen else { continue }
            r.handler.handleIO(readable: e.readable || (e.hangup && r.interest.contains(.read)),
                               writable: e.writable, hangup: e.hangup)
        }
    }

    @ReactorActor
    private func runTimers() {
        guard let first = timers.first else { return }
        let now = nowNanoseconds()
        guard first.deadline <= now else { return }
        // Calls scheduled while these run (even with delay 0) wait for the next pass.
        var due: [ReactorDelayedCall] = []
        while let c = timers.first, c.deadline <= now {
            _ = timers.popFirst()
            due.append(c)
        }
        for c in due where c.active { c.fire() }
    }

    /// Runs queued jobs and `callFromThread` calls, oldest first, **including those enqueued while this pass runs**
    /// (a job that enqueues another, a continuation resumed by a timer or an I/O callback of this pass), so a chain
    /// of hops costs no extra `epoll_wait`. Fairness rule: at most ``maxJobsPerPass`` (4096) per pass, counting
    /// the ones enqueued during the pass; the rest wait for the next pass, after I/O has been polled (with a zero
    /// timeout), so work that keeps re-enqueueing itself delays I/O by at most 4096 jobs.
    @ReactorActor
    private func runWork() {
        let serial = asUnownedSerialExecutor()
        let task = asUnownedTaskExecutor()
        var budget = Self.maxJobsPerPass
        while budget > 0 {
            if batchIndex >= batch.count {
                batch.removeAll(keepingCapacity: true)
                batchIndex = 0
                takeIncoming(into: &batch)
                if batch.isEmpty { return }
            }
            let end = min(batch.count, batchIndex + budget)
            budget -= end - batchIndex
            while batchIndex < end {
                let w = batch[batchIndex]
                batchIndex += 1
                switch w {
                case .job(let job): job.runSynchronously(isolatedTo: serial, taskExecutor: task)
                case .call(let f): f()
                }
            }
        }
        jobBudgetExhaustions &+= 1
    }

    /// Swaps the queued work into `b`. Nonisolated on purpose: a closure formed in reactor-isolated code and handed
    /// to `Mutex.withLock` gets a dynamic isolation check (`swift_task_isCurrentExecutor`, about 350 instructions
    /// outside an executor job) every time it runs — once per loop pass, 14% of a ping-pong round trip.
    private func takeIncoming(into b: inout [Work]) {
        incoming.withLock { swap(&$0.work, &b) }
    }

    @ReactorActor
    private func runTickEnd() {
        // Handlers may schedule more (a flush that triggers a producer's write): loop until quiet, bounded.
        var rounds = 0
        while !tickEndHandlers.isEmpty && rounds < 16 {
            swap(&tickEndHandlers, &tickEndSpare)
            for h in tickEndSpare { h.tickEnded() }
            tickEndSpare.removeAll(keepingCapacity: true)
            rounds += 1
        }
    }
}

/// Runs reactor-isolated code from the loop thread, where the compiler cannot see the isolation. Unchecked: call
/// only on the shared reactor's loop thread.
@inline(__always)
func withReactorIsolation(_ body: @ReactorActor () -> Void) {
    // Safe under the rule above: on the loop thread, @ReactorActor code is already isolated; the bit-cast only
    // drops the isolation from the function type (same representation).
    withoutActuallyEscaping(body) { unsafeBitCast($0, to: (() -> Void).self)() }
}
