/// Parked worker tasks on an ``ImmediateTaskStarting`` actor (the reactor) that run async bodies one after
/// another, so that a body started by plain callback code (an HTTP request's async verb, started from the
/// connection's data callback) costs no Task creation and destruction (Docs/internals/async-path.md: about
/// 8,000 instructions per request of the Task's own allocation, slabs, status and task-local copies).
///
/// Contract (all calls on the actor's thread, with that actor as `isolation`):
/// - ``start(_:isolation:_:)`` runs `body(owner)` at once, synchronously up to its first suspension, on an idle
///   worker (resumed nested in the caller through the armed immediate start) or on a new one; after that the body
///   runs on the actor, its continuations resumed there (the workers have the actor's executor as preference).
/// - A body runs in a task that carries **no task-locals of the caller** (only the bridge's own context): use it
///   only where the starter has none to honour (code called from the reactor's I/O or timer callbacks). A body
///   that needs them is a `Deferred { }` (which keeps Twisted's inlineCallbacks semantics, conformance case 83).
/// - The pool holds no reference to an owner or body once the body has returned: the worker drops it before it
///   parks. At most `maxIdle` workers stay parked; a worker that would exceed it ends (its task finishes).
/// - ``ReusedTaskRun/cancel()`` while the body runs cancels the Deferred the body awaits at that moment (the body
///   sees ``CancelledError`` where it awaits, as inside `Deferred { }`); when it awaits something else, the
///   worker's Task is cancelled, the body sees Task cancellation, and that worker ends after the body instead of
///   parking (Task cancellation is sticky). After the body returned it does nothing.
package final class ReusableTaskPool: @unchecked Sendable {
    // @unchecked Sendable, safe: every stored property is touched only on the starter actor's thread (every
    // method takes that actor as `isolation`, checked by identity in `start`; the workers run on that actor).
    // Tests: ReusableTaskPoolTests and TornadoAsyncWorkerTests (Tests/TornadoTests/TornadoAsyncWorkerTests.swift).
    // `@exclusivity(unchecked)` on the vars (this and `Worker`'s): confined to one thread as said, and no access
    // spans a call into a body (each is a read or a write between calls). A dynamic check costs ~77 instructions;
    // the pool made two per request (Docs/internals/async-path.md).
    @exclusivity(unchecked) private var idle: [Worker] = []
    private let starter: any ImmediateTaskStarting
    /// How many workers may stay parked.
    package let maxIdle: Int
    /// Live workers (running a body or parked), for tests and diagnostics.
    @exclusivity(unchecked) package private(set) var workerCount = 0
    /// Parked workers.
    package var idleCount: Int { idle.count }
    /// Worker tasks created so far (for tests: a body run on a reused worker creates none).
    @exclusivity(unchecked) package private(set) var tasksCreated = 0

    package init(starter: any ImmediateTaskStarting, maxIdle: Int = 64) {
        self.starter = starter
        self.maxIdle = maxIdle
    }

    /// One body to run: the owner is passed to a function that captures nothing (no closure context allocated
    /// per body).
    struct Job {
        let owner: AnyObject
        let body: nonisolated(nonsending) (AnyObject) async -> Void
    }

    final class Worker: @unchecked Sendable {
        // Safe: confined to the starter actor's thread like the pool.
        /// Where the worker is parked (nil while it runs a body).
        /// A new worker's first job, taken by its loop at once (not captured by the task's closure, which lives
        /// as long as the task: the first owner would stay referenced).
        @exclusivity(unchecked) var first: UnsafeTransfer<Job>?
        @exclusivity(unchecked) var parked: UnsafeContinuation<UnsafeTransfer<Job>?, Never>?
        /// The bridge's context (what the body awaits): bound as the worker task's `InlineContext.starting`
        /// when the task is created, so `await d.value` in any body takes the bridge's cancellable fast path.
        let context = InlineContext()
        @exclusivity(unchecked) var task: Task<Void, Never>?
        /// Counts the bodies run, so a stale ``ReusedTaskRun`` cannot cancel a later body.
        @exclusivity(unchecked) var generation = 0
        @exclusivity(unchecked) var busy = false
        /// The worker's loop has returned (its task is finishing).
        @exclusivity(unchecked) var ended = false
    }

    /// Runs `body(owner)` on a parked or new worker (see the type's contract). `body` must capture nothing that
    /// changes per call (pass the per-call object as `owner`). Returns the handle that cancels this body.
    package func start(_ owner: AnyObject, isolation: isolated (any Actor)? = #isolation,
                       _ body: nonisolated(nonsending) @escaping (AnyObject) async -> Void) -> ReusedTaskRun {
        guard let actor = isolation, ObjectIdentifier(actor) == ObjectIdentifier(starter) else {
            preconditionFailure("ReusableTaskPool.start called off its actor")
        }
        let job = UnsafeTransfer(Job(owner: owner, body: body))
        if let w = idle.popLast() {
            w.generation &+= 1
            w.busy = true
            let run = ReusedTaskRun(worker: w, generation: w.generation)
            let parked = w.parked!
            w.parked = nil
            // The resume enqueues the worker on its preferred executor, the actor's: armed, the actor runs that
            // job at once, nested here, so the body starts before `start` returns (ImmediateTaskStarting).
            starter.armImmediateStart()
            parked.resume(returning: job)
            starter.disarmImmediateStart()
            return run
        }
        let w = Worker()
        w.generation = 1
        w.busy = true
        workerCount += 1
        tasksCreated += 1
        let run = ReusedTaskRun(worker: w, generation: 1)
        w.first = job
        let task = InlineContext.$starting.withValue(w.context) { () -> Task<Void, Never> in
            starter.armImmediateStart()
            defer { starter.disarmImmediateStart() }
            return Task.immediate(executorPreference: starter.immediateTaskExecutor) { [isolation] in
                _ = isolation
                await self.workerLoop(w)
            }
        }
        if !w.ended { w.task = task }
        return run
    }

    /// `nonisolated(nonsending)`: runs on the task closure's isolation (the starter actor) without a switch on
    /// entry or after the body.
    private nonisolated(nonsending) func workerLoop(_ w: Worker) async {
        w.context.owner = InlineContext.currentTaskKey
        var next = w.first
        w.first = nil
        while next != nil {
            await Self.run(&next)
            w.busy = false
            if Task.isCancelled || idle.count >= maxIdle { break }
            next = await withUnsafeContinuation(isolation: #isolation) { (c: UnsafeContinuation<UnsafeTransfer<Job>?, Never>) in
                w.parked = c
                idle.append(w)
            }
        }
        w.context.owner = 0
        w.ended = true
        w.task = nil
        workerCount -= 1
    }

    /// Takes the job out of `next` and runs it: the job (owner and body) is released when this returns, before
    /// the worker parks. `nonisolated(nonsending)`, not `isolated`: a call into an isolated function costs a
    /// `swift_task_switch` (with a task-executor-preference lookup under the task's status lock, ~250
    /// instructions) even when the executor does not change.
    private nonisolated(nonsending) static func run(_ next: inout UnsafeTransfer<Job>?) async {
        let job = next!.value
        next = nil
        await job.body(job.owner)
    }
}

/// The handle of one body started by ``ReusableTaskPool/start(_:isolation:_:)``.
package struct ReusedTaskRun {
    let worker: ReusableTaskPool.Worker
    let generation: Int

    /// Whether this body is still running.
    package var isRunning: Bool { worker.busy && worker.generation == generation }

    /// Cancels what the body awaits (see ``ReusableTaskPool``); on the actor's thread. No-op once it returned.
    package func cancel() {
        guard isRunning else { return }
        if let inner = worker.context.waitingOn {
            inner.cancel()
        } else {
            worker.task?.cancel()
        }
    }
}
