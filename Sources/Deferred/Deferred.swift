/// A result that will arrive later, with Twisted's callback chain (Twisted's `Deferred`).
///
/// `Deferred<Value>` is a handle onto one chain of (callback, errback) steps. Every `add…` appends one step to
/// that chain and returns a handle typed for the step's output: the handles are views of the same chain, so
/// `d.addCallback(f).addCallback(g)` and `d.addCallback(f); d.addCallback(g)` build the same chain, exactly as in
/// Twisted. The second form is right only while `f` keeps the type: a step that keeps `Value` returns a
/// discardable handle, a step that changes it does not (discarding it is a compiler warning), so a stale handle
/// is caught at compile time. A function returning a Deferred is added with `addDeferredCallback`,
/// `addDeferredErrback` or `addDeferredBoth`: the chain waits for that Deferred.
///
/// Contract:
/// - `callback(_:)`/`errback(_:)` fire it once; a second fire is ``AlreadyCalledError`` (thrown by
///   `tryCallback`, reported through the unhandled-error hook by `callback`), except the one late fire swallowed
///   after a `cancel()` without canceller.
/// - Steps run synchronously, in order, on the thread that fires the Deferred or adds the step to a fired one.
///   A throwing step switches to the failure path; an errback that returns switches back to success.
/// - A step that returns another Deferred pauses this chain until that one fires, then continues with its
///   result (trampolined: a chain of any depth does not grow the stack).
/// - A chain that ends in a failure nobody handled reports it when the last handle is released.
/// - Not thread-safe and not tied to any actor: touch a Deferred from one thread (the reactor's, or a test's).
public struct Deferred<Value> {
    @usableFromInline let core: DeferredCore

    @usableFromInline init(core: DeferredCore) { self.core = core }

    /// A new, unfired Deferred.
    @inlinable public init() { core = DeferredCore() }

    /// A new Deferred whose `cancel()` calls `canceller` (once, and only while unfired). The canceller may fire
    /// the Deferred itself; if it does not, the Deferred fails with ``CancelledError``.
    public init(canceller: @escaping (Deferred<Value>) -> Void) {
        core = DeferredCore()
        core.canceller = { c in canceller(Deferred(core: c)) }
    }

    // MARK: state

    /// True once fired (callback, errback, or cancelled), even while waiting on a chained Deferred.
    public var called: Bool { core.called }
    /// True when the chain holds a result now (fired, and not waiting on a chained Deferred).
    public var hasResult: Bool { core.state != nil }
    /// True while paused (explicitly or waiting on a chained Deferred).
    public var isPaused: Bool { core.paused > 0 }
    /// Two handles are the same Deferred when they view the same chain.
    public func isSame<U>(_ other: Deferred<U>) -> Bool { core === other.core }

    /// The current result, if any: `.success` when the chain holds a value of type `Value`.
    ///
    /// `nil` while unfired or waiting on a chained Deferred, and also once the result was taken: by an `await`
    /// of ``value`` or by another chain that waited on this one (Twisted leaves `None` there too); see
    /// ``isConsumed``. A value of another type (read through a stale handle) reads as a
    /// ``DeferredTypeMismatchError`` failure.
    public var result: Result<Value, Failure>? {
        switch core.state {
        case nil: return nil
        case .failure(let f)?: return .failure(f)
        case .success(let box)?:
            if let v = box.get(Value.self) { return .success(v) }
            if box.anyValue is ResultConsumed { return nil }
            return .failure(Failure(DeferredTypeMismatchError(expected: "\(Value.self)", actual: "\(type(of: box.anyValue))")))
        }
    }

    /// True once the chain's result was taken (by an `await` of ``value`` or by a chain that waited on this
    /// Deferred): ``result`` is then `nil`, and steps added later get no value (they see ``ResultConsumed``).
    public var isConsumed: Bool {
        if case .success(let box)? = core.state { return box.anyValue is ResultConsumed }
        return false
    }

    /// The chain's shared state, for observers in the same package (``DeferredReleaseProbe`` in TwisterTesting
    /// watches it weakly).
    package var coreObject: AnyObject { core }

    // MARK: firing

    /// Fires the chain with `value`. A second fire is reported as an ``AlreadyCalledError`` through the
    /// unhandled-error hook and ignored; use ``tryCallback(_:)`` to get it thrown.
    @inlinable public func callback(_ value: Value, file: String = #fileID, line: Int = #line) {
        do { try core.fire(.success(AnyBox.make(value)), site: "\(file):\(line)") } catch {
            DeferredDebug.reportUnhandled(Failure(error, file: file, line: line), creator: nil, invoker: nil)
        }
    }

    /// Fires the chain with a failure wrapping `error` (a Failure is passed on as is).
    @inlinable public func errback(_ error: any Error, file: String = #fileID, line: Int = #line) {
        do { try core.fire(.failure(Failure.wrap(error, file: file, line: line)), site: "\(file):\(line)") } catch {
            DeferredDebug.reportUnhandled(Failure(error, file: file, line: line), creator: nil, invoker: nil)
        }
    }

    /// Like `callback`, but a second fire throws ``AlreadyCalledError``.
    @inlinable public func tryCallback(_ value: Value, file: String = #fileID, line: Int = #line) throws(AlreadyCalledError) {
        try core.fire(.success(AnyBox.make(value)), site: "\(file):\(line)")
    }

    /// Like `errback`, but a second fire throws ``AlreadyCalledError``.
    @inlinable public func tryErrback(_ error: any Error, file: String = #fileID, line: Int = #line) throws(AlreadyCalledError) {
        try core.fire(.failure(Failure.wrap(error, file: file, line: line)), site: "\(file):\(line)")
    }

    /// Fires with `result`.
    public func fire(_ result: Result<Value, any Error>) {
        switch result {
        case .success(let v): callback(v)
        case .failure(let e): errback(e)
        }
    }

    // MARK: steps

    @inlinable static func mismatch(_ box: AnyBox) -> DeferredCore.StepOutput {
        .failure(Failure(DeferredTypeMismatchError(expected: "\(Value.self)", actual: "\(type(of: box.anyValue))")))
    }

    /// The step's output as the chain's next result: written into the input box when that box is a `Box<U>` still
    /// held by `core` as its result (see ``AnyBox`` for why that is safe), else in a new box.
    ///
    /// `input` is unretained and the user's function has run since it was read: it is compared by address with
    /// the core's current success box before anything reads or writes it. Equal means the core still holds it,
    /// so it is alive, and it cannot be a new box at a reused address: while a step runs, its core is fired and
    /// not waiting, so its state can only stay as it is or be stolen (replaced by the static
    /// ``AnyBox/consumed``, never freed); no other box can get there before the step returns.
    @inlinable @inline(__always)
    static func output<U>(_ out: U, replacing input: Unmanaged<AnyBox>, in core: DeferredCore) -> DeferredCore.StepOutput {
        if ObjectIdentifier(U.self) == ObjectIdentifier(Void.self) { return .value(AnyBox.void) }
        if ObjectIdentifier(U.self) != ObjectIdentifier(ResultConsumed.self), let held = core.successBox,
           held.toOpaque() == input.toOpaque(),
           held._withUnsafeGuaranteedRef({ $0.typeID == ObjectIdentifier(U.self) }) {
            held._withUnsafeGuaranteedRef { unsafeDowncast($0, to: Box<U>.self).value = out }
            return .unchanged
        }
        return .value(Box(out))
    }

    /// The input of a typed step that did not get a `Value`: the marker of a consumed result passes by, anything
    /// else fails the chain with ``DeferredTypeMismatchError``.
    @inlinable static func missing(_ box: AnyBox) -> DeferredCore.StepOutput {
        box.anyValue is ResultConsumed ? .value(box) : mismatch(box)
    }

    /// Runs `f` on the core's success box `input` (unretained: read before `f` runs, while the core holds it).
    @inlinable @inline(__always)
    static func runCallback<U>(_ f: (Value) throws -> U, _ input: Unmanaged<AnyBox>, _ core: DeferredCore) -> DeferredCore.StepOutput {
        guard let v = input._withUnsafeGuaranteedRef({ $0.get(Value.self) }) else { return missing(input.takeUnretainedValue()) }
        do { return output(try f(v), replacing: input, in: core) } catch { return .failure(Failure.wrap(error)) }
    }

    @inlinable
    static func runChainingCallback<U>(_ f: (Value) throws -> Deferred<U>, _ input: Unmanaged<AnyBox>) -> DeferredCore.StepOutput {
        guard let v = input._withUnsafeGuaranteedRef({ $0.get(Value.self) }) else { return missing(input.takeUnretainedValue()) }
        do { return .chain(try f(v).core) } catch { return .failure(Failure.wrap(error)) }
    }

    @inlinable static func runErrback<U>(_ f: (Failure) throws -> U, _ failure: Failure) -> DeferredCore.StepOutput {
        do { return .value(AnyBox.make(try f(failure))) } catch { return .failure(Failure.wrap(error)) }
    }

    @inlinable static func runChainingErrback<U>(_ f: (Failure) throws -> Deferred<U>, _ failure: Failure) -> DeferredCore.StepOutput {
        do { return .chain(try f(failure).core) } catch { return .failure(Failure.wrap(error)) }
    }

    // Discardability is the type rule of the chain. Every `add…` returns a handle onto the same chain (Twisted's
    // single chain). A step that keeps the type (`Value -> Value`, an errback recovering to `Value`) is
    // `@discardableResult`: the first handle still reads the chain's result, so `d.addCallback(f);
    // d.addCallback(g)` is right. A step that changes the type is not: discarding its handle warns, because the
    // next step added to the first handle would get a `U` where it expects a `Value` (a run-time
    // ``DeferredTypeMismatchError``). A same-type closure resolves to the non-generic overload (more specific).
    //
    // A function returning a Deferred is chained with the `addDeferred…` forms (the chain waits for it: Twisted's
    // `addCallback` returning a Deferred). Passing one to `addCallback`/`addErrback`/`addBoth` resolves to a
    // deprecated overload (a warning with a fix-it) that does the same, instead of building a
    // `Deferred<Deferred<U>>`.

    /// Appends one (callback, errback) pair (Twisted's `addCallbacks`): exactly one of them runs. Both keep the
    /// chain's type, so the result may be discarded.
    @discardableResult @inlinable
    public func addCallbacks(_ callback: @escaping (Value) throws -> Value,
                             _ errback: @escaping (Failure) throws -> Value) -> Deferred<Value> {
        appendCallbacks(callback, errback)
    }

    /// Appends one (callback, errback) pair whose output type is `U`; use the returned handle for later steps.
    @inlinable
    public func addCallbacks<U>(_ callback: @escaping (Value) throws -> U,
                                _ errback: @escaping (Failure) throws -> U) -> Deferred<U> {
        appendCallbacks(callback, errback)
    }

    @inlinable
    func appendCallbacks<U>(_ callback: @escaping (Value) throws -> U,
                            _ errback: @escaping (Failure) throws -> U) -> Deferred<U> {
        core.append(.init { core in
            if let input = core.successBox { return Self.runCallback(callback, input, core) }
            return Self.runErrback(errback, core.failure!)
        })
        return Deferred<U>(core: core)
    }

    /// Appends a callback that keeps the chain's type; a failure passes by it untouched.
    @discardableResult @inlinable
    public func addCallback(_ f: @escaping (Value) throws -> Value) -> Deferred<Value> {
        appendCallback(f)
    }

    /// Appends a callback whose output type is `U`; a failure passes by it untouched. Later steps go on the
    /// returned handle (the result is not discardable: this handle no longer reads the chain's type).
    @inlinable
    public func addCallback<U>(_ f: @escaping (Value) throws -> U) -> Deferred<U> {
        appendCallback(f)
    }

    @inlinable
    func appendCallback<U>(_ f: @escaping (Value) throws -> U) -> Deferred<U> {
        core.append(.init { core in
            guard let input = core.successBox else { return .unchanged }
            return Self.runCallback(f, input, core)
        })
        return Deferred<U>(core: core)
    }

    /// Appends a callback that returns a Deferred of the chain's type: the chain pauses until that Deferred
    /// fires and continues with its result (Twisted's `addCallback` with a function returning a Deferred).
    @discardableResult @inlinable
    public func addDeferredCallback(_ f: @escaping (Value) throws -> Deferred<Value>) -> Deferred<Value> {
        appendDeferredCallback(f)
    }

    /// Appends a callback that returns a `Deferred<U>`: the chain pauses until it fires and continues with its
    /// result. Later steps go on the returned handle.
    @inlinable
    public func addDeferredCallback<U>(_ f: @escaping (Value) throws -> Deferred<U>) -> Deferred<U> {
        appendDeferredCallback(f)
    }

    @inlinable
    func appendDeferredCallback<U>(_ f: @escaping (Value) throws -> Deferred<U>) -> Deferred<U> {
        core.append(.init { core in
            guard let input = core.successBox else { return .unchanged }
            return Self.runChainingCallback(f, input)
        })
        return Deferred<U>(core: core)
    }

    /// A callback returning a Deferred is chained (the chain waits for it); spelled `addDeferredCallback`.
    @available(*, deprecated, renamed: "addDeferredCallback", message: "a callback that returns a Deferred is chained with addDeferredCallback")
    @inlinable
    public func addCallback<U>(_ f: @escaping (Value) throws -> Deferred<U>) -> Deferred<U> {
        appendDeferredCallback(f)
    }

    /// Appends an errback; a value passes by it untouched. Returning recovers (the next callback gets the
    /// value); throwing (e.g. rethrowing the Failure, or `trap`) keeps the chain on the failure path.
    @discardableResult @inlinable
    public func addErrback(_ f: @escaping (Failure) throws -> Value) -> Deferred<Value> {
        core.append(.init { core in
            guard let failure = core.failure else { return .unchanged }
            return Self.runErrback(f, failure)
        })
        return self
    }

    /// Appends an errback that returns a Deferred: the chain pauses until it fires and continues with its
    /// result (a success recovers, a failure stays on the failure path).
    @discardableResult @inlinable
    public func addDeferredErrback(_ f: @escaping (Failure) throws -> Deferred<Value>) -> Deferred<Value> {
        core.append(.init { core in
            guard let failure = core.failure else { return .unchanged }
            return Self.runChainingErrback(f, failure)
        })
        return self
    }

    /// An errback returning a Deferred is chained (the chain waits for it); spelled `addDeferredErrback`.
    @available(*, deprecated, renamed: "addDeferredErrback", message: "an errback that returns a Deferred is chained with addDeferredErrback")
    @discardableResult @inlinable @_disfavoredOverload
    public func addErrback(_ f: @escaping (Failure) throws -> Deferred<Value>) -> Deferred<Value> {
        addDeferredErrback(f)
    }

    /// Appends the same function for both paths (Twisted's `addBoth`), keeping the chain's type.
    @discardableResult @inlinable
    public func addBoth(_ f: @escaping (Result<Value, Failure>) throws -> Value) -> Deferred<Value> {
        appendBoth(f)
    }

    /// Appends the same function for both paths, with output type `U`; later steps go on the returned handle.
    @inlinable
    public func addBoth<U>(_ f: @escaping (Result<Value, Failure>) throws -> U) -> Deferred<U> {
        appendBoth(f)
    }

    @inlinable
    func appendBoth<U>(_ f: @escaping (Result<Value, Failure>) throws -> U) -> Deferred<U> {
        core.append(.init { core in
            if let input = core.successBox { return Self.runCallback({ try f(.success($0)) }, input, core) }
            return Self.runErrback({ try f(.failure($0)) }, core.failure!)
        })
        return Deferred<U>(core: core)
    }

    /// Appends the same Deferred-returning function for both paths, keeping the chain's type: the chain pauses
    /// until the returned Deferred fires.
    @discardableResult @inlinable
    public func addDeferredBoth(_ f: @escaping (Result<Value, Failure>) throws -> Deferred<Value>) -> Deferred<Value> {
        appendDeferredBoth(f)
    }

    /// Appends the same Deferred-returning function for both paths, with output type `U`: the chain pauses until
    /// the returned Deferred fires. Later steps go on the returned handle.
    @inlinable
    public func addDeferredBoth<U>(_ f: @escaping (Result<Value, Failure>) throws -> Deferred<U>) -> Deferred<U> {
        appendDeferredBoth(f)
    }

    @inlinable
    func appendDeferredBoth<U>(_ f: @escaping (Result<Value, Failure>) throws -> Deferred<U>) -> Deferred<U> {
        core.append(.init { core in
            if let input = core.successBox { return Self.runChainingCallback({ try f(.success($0)) }, input) }
            return Self.runChainingErrback({ try f(.failure($0)) }, core.failure!)
        })
        return Deferred<U>(core: core)
    }

    /// A function returning a Deferred for both paths is chained; spelled `addDeferredBoth`.
    @available(*, deprecated, renamed: "addDeferredBoth", message: "a function that returns a Deferred is chained with addDeferredBoth")
    @inlinable
    public func addBoth<U>(_ f: @escaping (Result<Value, Failure>) throws -> Deferred<U>) -> Deferred<U> {
        appendDeferredBoth(f)
    }

    /// Fires `other` with this chain's result at this point (Twisted's `chainDeferred`; not trampolined).
    /// This chain continues with nil-equivalent: its later steps see `Void` (so the returned handle is the one to
    /// add them to; discard it explicitly with `_ =` when nothing follows).
    public func chainDeferred(_ other: Deferred<Value>) -> Deferred<Void> {
        other.core.chainedTo = core
        return addCallbacks({ v -> Void in other.callback(v) }, { f -> Void in other.errback(f) })
    }

    // MARK: pause, cancel

    /// Stops the chain from running until a matching `unpause()`; a result that arrives meanwhile is kept.
    public func pause() { core.pause() }
    /// Undoes one `pause()`; at zero the chain runs if it has a result.
    public func unpause() { core.unpause() }

    /// Cancels (Twisted's `cancel`): an unfired Deferred calls its canceller and, unless that fired it, fails
    /// with ``CancelledError``; one waiting on a chained Deferred cancels that one; otherwise nothing happens.
    public func cancel() { core.cancel() }
}

extension Deferred {
    /// A Deferred that already holds `value` (Twisted's `succeed`): steps added to it run at once.
    @inlinable public static func succeed(_ value: Value) -> Deferred<Value> {
        let d = Deferred<Value>()
        d.callback(value)
        return d
    }

    /// A Deferred that already holds a failure wrapping `error` (Twisted's `fail`): errbacks added to it run at
    /// once, and an unhandled one is reported when the last handle is released.
    public static func fail(_ error: any Error) -> Deferred<Value> {
        let d = Deferred<Value>()
        d.errback(error)
        return d
    }
}

/// Calls `f` and wraps its outcome in a Deferred (Twisted's `maybeDeferred`): a throw becomes a failed Deferred.
public func maybeDeferred<Value>(_ f: () throws -> Value) -> Deferred<Value> {
    do { return .succeed(try f()) } catch { return .fail(error) }
}

/// Calls `f` and returns its Deferred; a throw becomes a failed Deferred (Twisted's `maybeDeferred`).
public func maybeDeferred<Value>(_ f: () throws -> Deferred<Value>) -> Deferred<Value> {
    do { return try f() } catch { return .fail(error) }
}
