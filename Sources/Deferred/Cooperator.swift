/// What one unit of cooperative work returns.
public enum CooperativeStep {
    /// More work remains; call again in the next slot.
    case more
    /// Wait for this Deferred before the next unit (its result is consumed; its failure fails the task).
    case wait(Deferred<Void>)
    /// The task is finished.
    case done
}

/// Errors of ``CooperativeTask`` (Twisted's `TaskStopped`, `TaskDone`, `TaskFailed`, `NotPaused`, `SchedulerStopped`).
public enum CooperatorError: Error, Equatable {
    case taskStopped, taskDone, taskFailed, notPaused, schedulerStopped
}

/// Runs many long tasks in small slices so none starves the loop (Twisted's `task.Cooperator`).
///
/// Contract: each tick calls one unit of each task in turn (round robin) until `terminationPredicate` says
/// the slice is used up (default: 10 ms of wall time), then schedules the next tick with `callLater(0.01)` if
/// tasks remain. Stopping the cooperator fails every task with `.schedulerStopped` and refuses new ones.
public final class Cooperator {
    private let clock: any ReactorTime
    private let terminationPredicateFactory: () -> () -> Bool
    private var tasks: [CooperativeTask] = []
    private var delayedCall: (any DelayedCall)?
    private var stopped = false
    private let tickDelay: Double

    public init(clock: any ReactorTime, tickDelay: Double = 0.01,
                terminationPredicateFactory: (() -> () -> Bool)? = nil) {
        self.clock = clock
        self.tickDelay = tickDelay
        self.terminationPredicateFactory = terminationPredicateFactory ?? {
            let end = clock.seconds() + 0.01
            return { clock.seconds() >= end }
        }
    }

    /// Adds a task whose units are calls of `step`. Throws `.schedulerStopped` after `stop()`.
    @discardableResult
    public func cooperate(_ step: @escaping () throws -> CooperativeStep) throws -> CooperativeTask {
        guard !stopped else { throw CooperatorError.schedulerStopped }
        let t = CooperativeTask(cooperator: self, step: step)
        tasks.append(t)
        reschedule()
        return t
    }

    /// Adds a task driving `iterator`: each element is one unit; an element that is a `Deferred<Void>` is waited for.
    @discardableResult
    public func cooperate<I: IteratorProtocol>(_ iterator: I) throws -> CooperativeTask {
        var it = iterator
        return try cooperate {
            guard let e = it.next() else { return .done }
            if let d = e as? Deferred<Void> { return .wait(d) }
            return .more
        }
    }

    /// `cooperate(step).whenDone()`.
    public func coiterate(_ step: @escaping () throws -> CooperativeStep) -> Deferred<Void> {
        do { return try cooperate(step).whenDone() } catch { return Deferred.fail(error) }
    }

    /// Stops: every task fails with `.schedulerStopped`.
    public func stop() {
        stopped = true
        for t in tasks { t.complete(.failure(Failure(CooperatorError.schedulerStopped))) }
        tasks.removeAll()
        delayedCall?.cancel()
        delayedCall = nil
    }

    public var running: Bool { !stopped }

    func remove(_ t: CooperativeTask) {
        tasks.removeAll { $0 === t }
        if tasks.isEmpty { delayedCall?.cancel(); delayedCall = nil }
    }

    func reschedule() {
        guard delayedCall == nil, !stopped, tasks.contains(where: { $0.runnable }) else { return }
        delayedCall = clock.callLater(tickDelay) { [weak self] in self?.tick() }
    }

    func tick() {
        delayedCall = nil
        let done = terminationPredicateFactory()
        var i = 0
        while !tasks.isEmpty {
            let runnable = tasks.filter { $0.runnable }
            if runnable.isEmpty { break }
            let t = runnable[i % runnable.count]
            t.oneWorkUnit()
            i += 1
            if done() { break }
        }
        reschedule()
    }
}

/// One task of a ``Cooperator`` (Twisted's `CooperativeTask`).
public final class CooperativeTask {
    private weak var cooperator: Cooperator?
    private var step: (() throws -> CooperativeStep)?
    private var pauseCount = 0
    private var waiting = false
    private var completion: Result<Void, Failure>?
    private var completionKind: CooperatorError?
    private var doneDeferreds: [Deferred<Void>] = []

    init(cooperator: Cooperator, step: @escaping () throws -> CooperativeStep) {
        self.cooperator = cooperator
        self.step = step
    }

    var runnable: Bool { pauseCount == 0 && !waiting && completion == nil }

    /// A new Deferred per call, fired (with `()`) when the task finishes, or failed when it fails or is stopped.
    public func whenDone() -> Deferred<Void> {
        let d = Deferred<Void>()
        if let c = completion {
            switch c { case .success: d.callback(()); case .failure(let f): d.errback(f) }
        } else {
            doneDeferreds.append(d)
        }
        return d
    }

    /// Pauses (counted: each pause needs a resume).
    public func pause() { pauseCount += 1 }

    /// Undoes one pause; resuming an unpaused task throws `.notPaused`.
    public func resume() throws {
        guard pauseCount > 0 else { throw CooperatorError.notPaused }
        pauseCount -= 1
        if pauseCount == 0 { cooperator?.reschedule() }
    }

    /// Stops the task: whenDone fails with `.taskStopped`. Stopping a finished task throws `.taskDone` or `.taskFailed`.
    public func stop() throws {
        if let kind = completionKind { throw kind }
        complete(.failure(Failure(CooperatorError.taskStopped)))
    }

    func complete(_ r: Result<Void, Failure>) {
        guard completion == nil else { return }
        completion = r
        if case .failure(let f) = r, let e = f.error as? CooperatorError, e == .taskStopped || e == .schedulerStopped {
            completionKind = .taskDone
        } else if case .failure = r {
            completionKind = .taskFailed
        } else {
            completionKind = .taskDone
        }
        step = nil
        cooperator?.remove(self)
        let ds = doneDeferreds
        doneDeferreds = []
        for d in ds {
            switch r { case .success: d.callback(()); case .failure(let f): d.errback(f) }
        }
    }

    func oneWorkUnit() {
        guard let step else { return }
        do {
            switch try step() {
            case .more: break
            case .done: complete(.success(()))
            case .wait(let d):
                waiting = true
                d.addCallbacks({ [weak self] _ in
                    self?.waiting = false
                    self?.cooperator?.reschedule()
                }, { [weak self] f in
                    self?.waiting = false
                    self?.complete(.failure(f))
                })
            }
        } catch {
            complete(.failure(Failure.wrap(error)))
        }
    }
}
