import Synchronization

/// The untyped chain behind every ``Deferred`` handle: Twisted's Deferred state machine.
///
/// One FIFO list of (callback, errback) entries, a result, a pause counter, a canceller, the Deferred it is
/// waiting on, and the "swallow one late fire after cancel" flag. Not thread-safe and not tied to any thread:
/// whoever owns it (the reactor thread, or a synchronous test) must be the only one touching it.
///
/// The stored properties touched per step or per fire skip Swift's dynamic exclusivity checks
/// (`@exclusivity(unchecked)`, about 77 instructions per access, a fifth of a step before): the run loop moves each
/// entry out of the buffer before calling it and never holds an access to any of them across a user step or a
/// canceller, so a step that re-enters (adds steps, fires or cancels another Deferred) cannot overlap one; and a
/// core is used by one thread at a time (see above), so no access can overlap from another thread either.
@usableFromInline
final class DeferredCore {
    /// Both payloads are class references: copying an outcome is a retain, with no value-witness calls (an
    /// `Any` payload cost about a fifth of a step in copies and destroys of the existential).
    @usableFromInline enum Outcome {
        case success(AnyBox)
        case failure(Failure)
    }
    @usableFromInline enum StepOutput {
        case value(AnyBox)
        case failure(Failure)
        case chain(DeferredCore)
        /// The result stays as it is: a step that passed it by, or wrote its output into the result's own box.
        case unchanged
    }
    /// One step as the run loop calls it: the chain in (its `state` is the step's input, never nil), what becomes
    /// of the result out. A typed `add…` builds it around the user's function (see Deferred.swift); a step whose
    /// function is a closure literal without captures is specialized by the compiler into a closure without
    /// context, so adding it allocates nothing. The step reads its input from the core rather than being handed
    /// a copy: a typed step borrows the input box without a retain (see ``successBox``).
    @usableFromInline typealias StepFunction = (DeferredCore) -> StepOutput

    /// One (callback, errback) pair of the chain as one function (Twisted's tuple of two callables), or a
    /// continuation marker. A struct of two references rather than an enum of closures: moving it out of the
    /// list, and destroying it, are plain field moves and releases.
    @usableFromInline struct Entry {
        /// Not optional: a function stored in an Optional is kept at the Optional's (generic) abstraction, and
        /// converting it back allocated a reabstraction thunk on every call. Markers hold a function doing nothing.
        @usableFromInline var step: StepFunction
        /// Set for a continuation marker: the Deferred that waits for this chain's result.
        @usableFromInline var chainee: DeferredCore?
        @inlinable init(_ step: @escaping StepFunction) { self.step = step; chainee = nil }
        init(continuation: DeferredCore) { step = { _ in .unchanged }; chainee = continuation }

        /// An untyped pair (the await bridge, DeferredList, race): nil passes the result by.
        static func pair(callback: ((AnyBox, DeferredCore) -> StepOutput)?, errback: ((Failure) -> StepOutput)?) -> Entry {
            Entry { core in
                switch core.state {
                case .success(let box)?: return callback.map { $0(box, core) } ?? .unchanged
                case .failure(let f)?: return errback.map { $0(f) } ?? .unchanged
                case nil: preconditionFailure("Deferred step running without a result")
                }
            }
        }
    }

    /// The pending steps, in order: `buffer[head..<tail]` are initialized, the rest of its `capacity` is not.
    /// A buffer of our own rather than an array: a step is moved out when it runs (no placeholder written, and
    /// none destroyed when the list empties), and adding is a bounds check and a store (no uniqueness check).
    @exclusivity(unchecked) @usableFromInline var buffer: UnsafeMutablePointer<Entry>?
    @exclusivity(unchecked) @usableFromInline var capacity = 0
    @exclusivity(unchecked) @usableFromInline var head = 0
    @exclusivity(unchecked) @usableFromInline var tail = 0
    /// nil: no result (not fired yet, or waiting on a chained Deferred).
    @exclusivity(unchecked) @usableFromInline var state: Outcome?
    @exclusivity(unchecked) @usableFromInline var called = false
    @exclusivity(unchecked) @usableFromInline var paused = 0
    @exclusivity(unchecked) var running = false
    @exclusivity(unchecked) var canceller: ((DeferredCore) -> Void)?
    @exclusivity(unchecked) @usableFromInline var suppressAlreadyCalled = false
    /// The Deferred this one waits on (its result will become ours); cancel is forwarded to it.
    @exclusivity(unchecked) var chainedTo: DeferredCore?
    /// A Failure the chain ended with and nobody consumed: reported when this object is released.
    @exclusivity(unchecked) @usableFromInline var unhandledFailure: Failure?
    /// When true, `cancel()` calls the canceller but does not errback: the owner fires later (async bodies).
    @exclusivity(unchecked) var cancelFiresLater = false
    var creator: String?
    var invoker: String?

    @usableFromInline init() {
        if DeferredDebug.enabled { creator = DeferredDebug.callSite() }
    }

    deinit {
        if let b = buffer {
            (b + head).deinitialize(count: tail - head)
            b.deallocate()
        }
        if let f = unhandledFailure { DeferredDebug.reportUnhandled(f, creator: creator, invoker: invoker) }
    }

    var hasResult: Bool { state != nil }

    /// The success box, unretained: a step's input. Valid (the box alive) as long as `state` holds it, which is
    /// until the step's user function runs; after that a step compares it with ``successBox`` again (pointer
    /// identity, no access) before touching it. Saves the retain and release of the input per step.
    @inlinable var successBox: Unmanaged<AnyBox>? {
        if case .success(let box)? = state { return Unmanaged.passUnretained(box) }
        return nil
    }

    /// The failure the chain holds, if it holds one.
    @inlinable var failure: Failure? {
        if case .failure(let f)? = state { return f }
        return nil
    }

    /// The result with its value as `Any`, for inspection (tests, debugging); the chain itself keeps boxes.
    enum InspectedResult {
        case success(Any)
        case failure(Failure)
    }
    var result: InspectedResult? {
        switch state {
        case nil: return nil
        case .success(let box)?: return .success(box.anyValue)
        case .failure(let f)?: return .failure(f)
        }
    }

    // MARK: adding steps

    @inlinable func append(_ entry: Entry) {
        push(entry)
        if called { runCallbacks() }
    }

    /// Adds `entry` at the end of the list without running anything.
    @inlinable func push(_ entry: Entry) {
        if tail == capacity { makeRoom() }
        (buffer.unsafelyUnwrapped + tail).initialize(to: entry)
        tail += 1
    }

    /// Makes room for one more entry: moves the pending ones to the front when that frees at least half of the
    /// buffer, else moves them to a buffer four times as large (4 entries at first: most Deferreds have one or
    /// two steps; a long chain reallocates half as often as with doubling).
    @usableFromInline func makeRoom() {
        let count = tail - head
        if let b = buffer, head > 0, count <= capacity / 2 {
            b.moveInitialize(from: b + head, count: count)
        } else {
            let newCapacity = Swift.max(4, capacity * 4)
            let nb = UnsafeMutablePointer<Entry>.allocate(capacity: newCapacity)
            if let b = buffer {
                nb.moveInitialize(from: b + head, count: count)
                b.deallocate()
            }
            buffer = nb
            capacity = newCapacity
        }
        head = 0
        tail = count
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
        state = outcome
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
            while current.head < current.tail {
                // Moved out of the buffer: no retain and release of the step, nothing left to destroy.
                let entry = (current.buffer.unsafelyUnwrapped + current.head).move()
                current.head += 1
                if current.head == current.tail {
                    current.head = 0
                    current.tail = 0
                }
                if let chainee = entry.chainee {
                    // A continuation: hand the result over to the Deferred waiting on this one.
                    chainee.state = current.state
                    current.state = .success(AnyBox.consumed)
                    chainee.paused -= 1
                    handOver = chainee
                    break
                }
                if current.state == nil { preconditionFailure("Deferred chain running without a result") }
                current.running = true
                let output = entry.step(current)
                current.running = false
                switch output {
                case .unchanged: break
                case .value(let v): current.state = .success(v)
                case .failure(let f): current.state = .failure(f)
                case .chain(let inner):
                    if inner === current {
                        current.state = .failure(Failure(CircularChainError()))
                    } else if inner.state == nil || inner.paused > 0 {
                        current.state = nil
                        current.paused += 1
                        current.chainedTo = inner
                        inner.push(Entry(continuation: current))
                    } else {
                        current.state = inner.state
                        inner.state = .success(AnyBox.consumed)
                        inner.unhandledFailure = nil
                    }
                }
                if current.paused > 0 { break }
            }
            if let next = handOver {
                // Run the waiting Deferred's chain first; come back to `current` for steps added after.
                waiting.append(current)
                current = next
                continue
            }
            if case .failure(let f)? = current.state {
                current.unhandledFailure = f
            } else {
                current.unhandledFailure = nil
            }
            guard let previous = waiting.popLast() else { return }
            current = previous
        }
    }

    /// Takes the result out for an awaiting caller (Twisted: awaiting clears the unhandled stash).
    @usableFromInline func consumeResult() -> Outcome? {
        guard let r = state, paused == 0 else { return nil }
        unhandledFailure = nil
        return r
    }
}

/// A chain's success value, boxed: the untyped core holds an `AnyBox`, each typed step knows its `Box<T>`.
///
/// Why a box and not `Any`: a step checks its input with one comparison (the box's `typeID` against its input
/// type) and reads the value with no dynamic cast; a step whose output has the input's type overwrites the box in
/// place, so a chain of `Int -> Int` steps allocates no result storage per step; and copying a result is a retain,
/// with no existential value-witness calls. Any other type relationship (an existential, an Optional, a
/// superclass) falls back to `anyValue as? Value`, the dynamic cast the chain always made, so the cast rules are
/// unchanged.
///
/// Ownership rule that makes the in-place overwrite safe: a box is referenced by at most one core's `state` (it
/// is moved, never copied, between cores: chaining and continuations leave ``AnyBox/consumed`` behind) and by
/// transient locals of the run loop; readers (`result`, `value`, DeferredList) copy the value out. A step
/// overwrites its input box only when, after the user's function returned, that box is still its core's state
/// (a step that made another chain steal this Deferred's result has moved the box away). The two shared boxes,
/// ``AnyBox/consumed`` and ``AnyBox/void``, hold empty values and are never overwritten.
@usableFromInline class AnyBox {
    /// The stored value's static type (`T` of the `Box<T>` this is). Compared with a step's input type, it
    /// identifies the box's class without looking up `Box<V>`'s generic metadata (a call per check).
    @usableFromInline let typeID: ObjectIdentifier
    @inlinable init(typeID: ObjectIdentifier) { self.typeID = typeID }
    /// The value as `Any`, for casts to another type than the stored one and for messages.
    @usableFromInline var anyValue: Any { fatalError("AnyBox is abstract") }
    /// The marker left behind by a result moved to another Deferred or taken by an await (Twisted leaves None).
    /// Shared by every core: safe because it is never written (a `Box<ResultConsumed>` holds an empty struct, and
    /// the in-place overwrite of a step's input box is skipped for `ResultConsumed` outputs).
    @usableFromInline nonisolated(unsafe) static let consumed: AnyBox = Box(ResultConsumed())

    /// The result of every step and fire whose value is `Void` (no box allocated per `Void` step). Shared, and
    /// safe for the same reason as ``consumed``: it holds an empty tuple and is never written.
    @usableFromInline nonisolated(unsafe) static let void: AnyBox = Box(())

    /// `value` boxed: the shared ``void`` box for `Void`, else a new `Box<T>`.
    @inlinable static func make<T>(_ value: T) -> AnyBox {
        if ObjectIdentifier(T.self) == ObjectIdentifier(Void.self) { return AnyBox.void }
        return Box(value)
    }

    /// The value as `V`: the stored value when the box is a `Box<V>` (no cast), else the dynamic cast `as? V`.
    @inlinable @inline(__always) final func get<V>(_: V.Type) -> V? {
        if typeID == ObjectIdentifier(V.self) {
            return unsafeDowncast(self, to: Box<V>.self).value
        }
        return anyValue as? V
    }
}

@usableFromInline final class Box<T>: AnyBox {
    /// Unchecked exclusivity: read by a copy and written once a step's function has returned (never an access
    /// held across user code), by the one thread that runs the chain.
    @exclusivity(unchecked) @usableFromInline var value: T
    @inlinable init(_ value: T) { self.value = value; super.init(typeID: ObjectIdentifier(T.self)) }
    @usableFromInline override var anyValue: Any { value }
}

/// A step returned the very Deferred it was added to: it could never fire.
public struct CircularChainError: Error, CustomStringConvertible {
    public var description: String { "A callback returned its own Deferred: the chain can never continue" }
}
