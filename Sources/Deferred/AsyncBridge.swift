/// Moves a value across a continuation resume that the compiler cannot prove safe. Safe here because the
/// Deferred's chain runs on the awaiting task's own executor (or with no concurrency at all), so the value is
/// never touched by two threads at once.
@usableFromInline
struct UnsafeTransfer<T>: @unchecked Sendable {
    @usableFromInline var value: T
    @usableFromInline init(_ value: T) { self.value = value }
}

/// The running `Deferred { … }` body that is awaiting: lets cancelling the body's Deferred cancel the Deferred
/// the body waits on (Twisted's inlineCallbacks cascade).
final class InlineContext: @unchecked Sendable {
    // Safe: only touched by the body's task, which runs on one executor at a time, and by the body
    // Deferred's canceller, which runs on that same executor (Deferreds are confined to their thread).
    var waitingOn: DeferredCore?
    var task: Task<Void, Never>?
    /// The address of the body's task, set when the body starts (0 before).
    var owner = 0

    /// The context of the body being started, bound (synchronously) around the creation of its task, which
    /// copies it as every unstructured task copies its creator's task-locals. A task-local bound *inside* the
    /// body (`withValue` in the task) would add a suspension after the body returned, so that a body that never
    /// suspends would no longer fire its Deferred synchronously. Tasks the body creates (`async let`, groups,
    /// `Task { }`) inherit the value too: ``current`` checks ``owner`` so that only the body's own task sees it.
    /// (This replaced a table keyed by task under a lock: three lookups with a lock and a hash per body.)
    @TaskLocal static var starting: InlineContext?

    /// The current task's address: identifies the task while it runs (`UnsafeCurrentTask.hashValue` runs
    /// SipHash, about 1,200 instructions under callgrind). Safe: `UnsafeCurrentTask` is one task reference, so the
    /// bits are the task's address (a change of its size would trap in `unsafeBitCast`); the key is only compared
    /// while both tasks are alive (the body's task runs the comparison), so a reused address cannot alias.
    /// Tests: InlineContextTests.
    static var currentTaskKey: Int {
        withUnsafeCurrentTask { task in task.map { unsafeBitCast($0, to: Int.self) } ?? 0 }
    }

    /// The context of the `Deferred { }` body whose task is the current task, if any.
    static var current: InlineContext? {
        guard let c = starting, c.owner != 0, c.owner == currentTaskKey else { return nil }
        return c
    }
}

private func cancelCore(on actor: isolated any Actor, _ core: UnsafeTransfer<DeferredCore>) {
    core.value.cancel()
}

extension Deferred {
    /// The Deferred's eventual result, awaited (Twisted's `await d`).
    ///
    /// Contract: a fired Deferred returns (or throws) at once without suspending. Otherwise the caller
    /// suspends until the chain reaches this point and resumes on its own executor (no hop to the global
    /// pool). A failure is thrown as its underlying error and counts as handled. The result is consumed:
    /// steps added afterwards see ``ResultConsumed``. Cancelling the awaiting Task cancels the Deferred
    /// (on the awaiting actor's executor). Inside `Deferred { … }`, cancelling that body's Deferred cancels
    /// this one.
    @inlinable public var value: Value {
        get async throws {
            if let r = core.consumeResult() {
                switch r {
                case .success(let box):
                    if let v = box.get(Value.self) { return v }
                    throw DeferredTypeMismatchError(expected: "\(Value.self)", actual: "\(type(of: box.anyValue))")
                case .failure(let f):
                    throw f.error
                }
            }
            return try await waitForResult(isolation: #isolation)
        }
    }

    @usableFromInline func waitForResult(isolation: isolated (any Actor)?) async throws -> Value {
        // Non-generic inside (the continuation carries `Any`): a continuation or box generic over `Value` made the
        // runtime look up generic metadata (UnsafeTransfer<Value>, CheckedContinuation<…>) on every await, about
        // 4,000 instructions per await (callgrind). Unsafe continuation: resumed exactly once by construction (one
        // callback/errback pair, run once by the chain), and no checking canary allocated per await.
        let core = self.core
        let context = InlineContext.current
        if let context, !Task.isCancelled {
            // The fast path, for the `Deferred { }` body's own task (the common case: a handler's `await d.value`):
            // no cancellation handler. That task is unstructured (no parent to cancel it) and its handle is private
            // to the body's Deferred, whose canceller cancels the Task only when `waitingOn` is nil, never while the
            // body waits here (`waitingOn` is set before the suspension and cleared by the step that resumes it).
            // So the Task cannot become cancelled during this wait, and the handler would never run; a Task
            // cancelled already (the body caught a cancellation of something else) takes the path below, which
            // cancels `core` at once as before. Saves the status record (add, remove, and a lock walk per task
            // executor lookup while it is installed) and an async frame: about 1,500 instructions per await.
            let result = try await withUnsafeThrowingContinuation(isolation: isolation) { (cont: UnsafeContinuation<UnsafeTransfer<AnyBox>, any Error>) in
                context.waitingOn = core
                core.append(.init { c in
                    context.waitingOn = nil
                    switch c.state {
                    case .success(let box)?: cont.resume(returning: UnsafeTransfer(box))
                    case .failure(let f)?: cont.resume(throwing: f.error)
                    case nil: preconditionFailure("Deferred step running without a result")
                    }
                    return .value(AnyBox.consumed)
                })
            }
            if let v = result.value.get(Value.self) { return v }
            throw DeferredTypeMismatchError(expected: "\(Value.self)", actual: "\(type(of: result.value.anyValue))")
        }
        let transfer = UnsafeTransfer(core)
        let result: UnsafeTransfer<AnyBox> = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation(isolation: isolation) { (cont: UnsafeContinuation<UnsafeTransfer<AnyBox>, any Error>) in
                context?.waitingOn = core
                core.append(.init { c in
                    context?.waitingOn = nil
                    switch c.state {
                    case .success(let box)?: cont.resume(returning: UnsafeTransfer(box))
                    case .failure(let f)?: cont.resume(throwing: f.error)
                    case nil: preconditionFailure("Deferred step running without a result")
                    }
                    return .value(AnyBox.consumed)
                })
            }
        } onCancel: {
            if let isolation {
                Task { await cancelCore(on: isolation, transfer) }
            } else {
                transfer.value.cancel()
            }
        }
        if let v = result.value.get(Value.self) { return v }
        throw DeferredTypeMismatchError(expected: "\(Value.self)", actual: "\(type(of: result.value.anyValue))")
    }

    /// Starts `body` at once and returns the Deferred of its result: Swift's `inlineCallbacks`.
    ///
    /// Contract: the body runs synchronously, on the caller's thread, up to its first real suspension, so when
    /// nothing suspends the Deferred has fired before the initializer returns. It then runs on the caller's
    /// actor (the reactor, when started there). Its return value fires the Deferred with success, a thrown
    /// error with failure. Cancelling the returned Deferred cancels the Deferred the body is awaiting at that
    /// moment (the body sees that outcome where it awaits and may catch it and go on); when the body awaits
    /// something else, its Task is cancelled. The Deferred fires only when the body finishes.
    public init(isolation: isolated (any Actor)? = #isolation, _ body: nonisolated(nonsending) @escaping () async throws -> Value) {
        let core = DeferredCore()
        let context = InlineContext()
        core.cancelFiresLater = true
        core.canceller = { _ in
            if let inner = context.waitingOn {
                inner.cancel()
            } else {
                context.task?.cancel()
            }
        }
        self.init(core: core)
        let run: nonisolated(nonsending) () async -> Void = {
            let outcome: DeferredCore.Outcome
            do {
                context.owner = InlineContext.currentTaskKey
                defer { context.owner = 0 }
                outcome = .success(AnyBox.make(try await body()))
            } catch {
                outcome = .failure(Failure.wrap(error))
            }
            context.task = nil
            try? core.fire(outcome, site: "Deferred { }")
        }
        let task = InlineContext.$starting.withValue(context) { () -> Task<Void, Never> in
            Self.startTask(isolation: isolation, run)
        }
        if !core.called { context.task = task }
    }

    /// Creates the body's task and runs it up to its first suspension (see the initializer).
    private static func startTask(isolation: isolated (any Actor)?, _ run: nonisolated(nonsending) @escaping () async -> Void) -> Task<Void, Never> {
        let task: Task<Void, Never>
        if let starter = isolation as? any ImmediateTaskStarting {
            // The actor's executor is also a task executor (the reactor): make it the task's executor preference,
            // so that a continuation resumed by plain reactor code (a timer, an I/O callback) is enqueued back on
            // it instead of on the global pool, and have it run the task's first job at once (see the protocol).
            starter.armImmediateStart()
            task = Task.immediate(executorPreference: starter.immediateTaskExecutor) { [isolation] in
                _ = isolation
                await run()
            }
            starter.disarmImmediateStart()
        } else {
            task = Task.immediate { [isolation] in
                _ = isolation
                await run()
            }
        }
        return task
    }
}

/// An actor whose serial executor is also a task executor that can run a task's first job synchronously: the
/// reactor's ``ReactorActor`` in TwisterProtocols. `Deferred { }` started on such an actor gives its Task that
/// executor as executor preference.
///
/// Why: a continuation is always resumed by enqueueing its task on the *generic* executor, which for a task with no
/// executor preference means the global pool; the task then hops back to its actor. One thread hop and one wake-up
/// of the actor's thread per `await` on something that plain (non-task) code resumes. With the preference the
/// task is enqueued on the task executor instead and never leaves the actor's thread.
///
/// Why arming: `Task.immediate` runs a task's first job in the caller's context with *no* task executor, so the
/// body's first hop onto the actor sees a different task executor and enqueues the job. Between
/// ``armImmediateStart()`` and ``disarmImmediateStart()`` (called on the actor's thread, around the creation of one
/// task) the executor runs the first job enqueued on it from this thread synchronously, inside `enqueue`, as the
/// actor with itself as task executor: the body still runs before the `Deferred` initializer returns.
public protocol ImmediateTaskStarting: Actor {
    /// The task executor that runs this actor's jobs (the same executor as the actor's).
    nonisolated var immediateTaskExecutor: any TaskExecutor { get }
    /// The next job enqueued on the executor from the calling thread runs synchronously inside `enqueue`.
    nonisolated func armImmediateStart()
    /// Ends the armed period (a no-op when the job ran already).
    nonisolated func disarmImmediateStart()
}

/// Returns `d` itself (Twisted's `ensureDeferred` on a Deferred); `Deferred { … }` wraps async work.
public func ensureDeferred<T>(_ d: Deferred<T>) -> Deferred<T> { d }
