import Synchronization

/// The untyped chain behind every ``Deferred`` handle: Twisted's Deferred state machine.
///
/// One FIFO list of (callback, errback) entries, a result, a pause counter, a canceller, the Deferred it is
/// waiting on, and the "swallow one late fire after cancel" flag. Not thread-safe and not tied to any thread:
/// whoever owns it (the reactor thread, or a synchronous test) must be the only one touching it.
///
/// The hot stored properties skip Swift's dynamic exclusivity checks (`@exclusivity(unchecked)`, about a fifth
/// of the cost of a step): the run loop copies each entry out before calling it and never holds an access to
/// them across a user step, so a step that re-enters (adds steps, fires another Deferred) cannot overlap one.
@usableFromInline
final class DeferredCore {
    @usableFromInline enum Outcome {
        case success(Any)
        case failure(Failure)
    }
    @usableFromInline enum StepOutput {
        case value(Any)
        case failure(Failure)
        case chain(DeferredCore)
    }
    @usableFromInline enum Entry {
        case pair(callback: ((Any) -> StepOutput)?, errback: ((Failure) -> StepOutput)?)
        /// The Deferred that returned this one from a step and waits for its result.
        case continuation(DeferredCore)
    }

    @exclusivity(unchecked) @usableFromInline var entries: ContiguousArray<Entry> = []
    @exclusivity(unchecked) @usableFromInline var head = 0
    /// nil: no result (not fired yet, or waiting on a chained Deferred).
    @exclusivity(unchecked) @usableFromInline var result: Outcome?
    @exclusivity(unchecked) @usableFromInline var called = false
    @exclusivity(unchecked) @usableFromInline var paused = 0
    @exclusivity(unchecked) var running = false
    var canceller: ((DeferredCore) -> Void)?
    var suppressAlreadyCalled = false
    /// The Deferred this one waits on (its result will become ours); cancel is forwarded to it.
    var chainedTo: DeferredCore?
    /// A Failure the chain ended with and nobody consumed: reported when this object is released.
    var unhandledFailure: Failure?
    /// When true, `cancel()` calls the canceller but does not errback: the owner fires later (async bodies).
    var cancelFiresLater = false
    var creator: String?
    var invoker: String?

    @usableFromInline init() {
        if DeferredDebug.enabled { creator = DeferredDebug.callSite() }
    }

    deinit {
        if let f = unhandledFailure { DeferredDebug.reportUnhandled(f, creator: creator, invoker: invoker) }
    }

    var hasResult: Bool { result != nil }

    // MARK: adding steps

    @usableFromInline func append(_ entry: Entry) {
        if entries.capacity == 0 { entries.reserveCapacity(4) }
        entries.append(entry)
        if called { runCallbacks() }
    }

    // MARK: firing

    @usableFromInline func fire(_ outcome: Outcome, site: @autoclosure () -> String) throws(AlreadyCalledError) {
        if called {
            if suppressAlreadyCalled { suppressAlreadyCalled = false; return }
            var msg = ""
            if DeferredDebug.enabled {
                msg = "C: \(creator ?? "?")\nI: \(invoker ?? "?")"
            }
            throw AlreadyCalledError(msg)
        }
        if DeferredDebug.enabled { invoker = site() }
        called = true
        canceller = nil
        result = outcome
        runCallbacks()
    }

    func pause() { paused += 1 }

    func unpause() {
        precondition(paused > 0, "Deferred.unpause() without a matching pause()")
        paused -= 1
        if paused == 0 && called { runCallbacks() }
    }

    // MARK: cancellation

    func cancel() {
        if !called {
            if let c = canceller {
                if !cancelFiresLater { canceller = nil }
                c(self)
            } else {
                suppressAlreadyCalled = true
            }
            if !called && !cancelFiresLater {
                try? fire(.failure(Failure(CancelledError())), site: "cancel()")
            }
        } else if let inner = chainedTo {
            inner.cancel()
        }
    }

    // MARK: the trampolined run loop (Twisted's _runCallbacks)

    @usableFromInline func runCallbacks() {
        if running { return }
        // The Deferreds whose chains wait for `current` to hand over its result (Twisted's `chain` list, minus
        // the current one). Empty in the common case, so firing allocates nothing.
        var waiting: [DeferredCore] = []
        var current = self
        while true {
            if current.paused > 0 { return }
            var handOver: DeferredCore?
            current.chainedTo = nil
            while current.head < current.entries.count {
                let entry = current.entries[current.head]
                current.head += 1
                if current.head == current.entries.count {
                    current.entries.removeAll(keepingCapacity: true)
                    current.head = 0
                }
                switch entry {
                case .continuation(let chainee):
                    chainee.result = current.result
                    current.result = .success(ResultConsumed())
                    chainee.paused -= 1
                    handOver = chainee
                case .pair(let cb, let eb):
                    guard let r = current.result else { preconditionFailure("Deferred chain running without a result") }
                    current.running = true
                    let step: StepOutput
                    switch r {
                    case .success(let v): step = cb.map { $0(v) } ?? .value(v)
                    case .failure(let f): step = eb.map { $0(f) } ?? .failure(f)
                    }
                    current.running = false
                    switch step {
                    case .value(let v): current.result = .success(v)
                    case .failure(let f): current.result = .failure(f)
                    case .chain(let inner):
                        if inner === current {
                            current.result = .failure(Failure(CircularChainError()))
                        } else if inner.result == nil || inner.paused > 0 {
                            current.result = nil
                            current.paused += 1
                            current.chainedTo = inner
                            inner.entries.append(.continuation(current))
                        } else {
                            current.result = inner.result
                            inner.result = .success(ResultConsumed())
                            inner.unhandledFailure = nil
                        }
                    }
                    if current.paused > 0 { break }
                    continue
                }
                break
            }
            if let next = handOver {
                // Run the waiting Deferred's chain first; come back to `current` for steps added after.
                waiting.append(current)
                current = next
                continue
            }
            if case .failure(let f)? = current.result {
                current.unhandledFailure = f
            } else {
                current.unhandledFailure = nil
            }
            guard let previous = waiting.popLast() else { return }
            current = previous
        }
    }

    /// Takes the result out for an awaiting caller (Twisted: awaiting clears the unhandled stash).
    func consumeResult() -> Outcome? {
        guard let r = result, paused == 0 else { return nil }
        unhandledFailure = nil
        return r
    }
}

/// A step returned the very Deferred it was added to: it could never fire.
public struct CircularChainError: Error, CustomStringConvertible {
    public var description: String { "A callback returned its own Deferred: the chain can never continue" }
}
