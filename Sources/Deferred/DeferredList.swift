/// What ``deferredList(_:fireOnOneCallback:fireOnOneErrback:consumeErrors:)`` fires with.
public enum DeferredListResult<Value> {
    /// Every input's outcome, in input order.
    case all([Result<Value, Failure>])
    /// `fireOnOneCallback`: the first success and its input index.
    case first(Value, index: Int)

    /// The list of outcomes (empty for `.first`).
    public var results: [Result<Value, Failure>] {
        if case .all(let r) = self { return r }
        return []
    }
}

/// Waits for every Deferred in `deferreds` (Twisted's `DeferredList`).
///
/// Contract: one step is appended to each input, so steps added to an input before see nothing of the list,
/// and steps added after see the input's result passed through (or nothing, with `consumeErrors`). Fires with
/// `.all` in input order once every input fired; with `fireOnOneCallback` with `.first(value, index)` on the
/// first success (all failing still gives `.all`); with `fireOnOneErrback` fails with ``FirstError`` on the
/// first failure. An empty input fires `.all([])` at once, except with `fireOnOneCallback` (never fires).
/// Cancelling the list, while unfired, cancels every original input.
public func deferredList<Value>(_ deferreds: [Deferred<Value>], fireOnOneCallback: Bool = false,
                                fireOnOneErrback: Bool = false, consumeErrors: Bool = false) -> Deferred<DeferredListResult<Value>> {
    let list = Deferred<DeferredListResult<Value>>(canceller: { _ in
        for d in deferreds {
            d.cancel()
        }
    })
    var results = [Result<Value, Failure>?](repeating: nil, count: deferreds.count)
    var finished = 0
    if deferreds.isEmpty && !fireOnOneCallback {
        list.callback(.all([]))
        return list
    }
    for (index, d) in deferreds.enumerated() {
        d.core.append(.pair(
            callback: { box, _ in
                let v = box.get(Value.self)
                if let v { results[index] = .success(v) }
                finished += 1
                if !list.called {
                    if fireOnOneCallback, let v {
                        list.callback(.first(v, index: index))
                    } else if finished == deferreds.count {
                        list.callback(.all(results.map { $0 ?? .failure(Failure(ResultConsumedError())) }))
                    }
                }
                return .value(box)
            },
            errback: { f in
                results[index] = .failure(f)
                finished += 1
                if !list.called {
                    if fireOnOneErrback {
                        list.errback(FirstError(subFailure: f, index: index))
                    } else if finished == deferreds.count {
                        list.callback(.all(results.map { $0! }))
                    }
                }
                return consumeErrors ? .value(AnyBox.consumed) : .failure(f)
            }))
    }
    return list
}

/// An input's result was no longer there when the list looked at it.
public struct ResultConsumedError: Error {}

/// The values of every Deferred in order, or the first failure as ``FirstError`` (Twisted's `gatherResults`).
/// Other inputs are not cancelled when one fails.
public func gatherResults<Value>(_ deferreds: [Deferred<Value>], consumeErrors: Bool = false) -> Deferred<[Value]> {
    deferredList(deferreds, fireOnOneErrback: true, consumeErrors: consumeErrors)
        .addCallback { r in
            try r.results.map { try $0.get() }
        }
}

/// The first success among `deferreds`, with its index; every other input is then cancelled once
/// (Twisted's `race`). When all fail: ``FailureGroup`` with the failures in input order. Cancelling the race
/// cancels every input.
public func race<Value>(_ deferreds: [Deferred<Value>]) -> Deferred<(index: Int, value: Value)> {
    var done = false
    let result = Deferred<(index: Int, value: Value)>(canceller: { _ in
        for d in deferreds { d.cancel() }
    })
    var failures = [Failure?](repeating: nil, count: deferreds.count)
    var failed = 0
    for (index, d) in deferreds.enumerated() {
        d.core.append(.pair(
            callback: { box, _ in
                if !done, let v = box.get(Value.self) {
                    done = true
                    for (j, other) in deferreds.enumerated() where j != index { other.cancel() }
                    result.callback((index, v))
                }
                return .value(AnyBox.consumed)
            },
            errback: { f in
                if !done {
                    failures[index] = f
                    failed += 1
                    if failed == deferreds.count {
                        done = true
                        result.errback(FailureGroup(failures: failures.map { $0! }))
                    }
                }
                return .value(AnyBox.consumed)
            }))
    }
    return result
}

/// `DeferredList(fireOnOneErrback:)` and `gatherResults` fail with this, naming the failing input's index.
public struct FirstError: Error, CustomStringConvertible {
    public let subFailure: Failure
    public let index: Int
    public init(subFailure: Failure, index: Int) { self.subFailure = subFailure; self.index = index }
    public var description: String { "FirstError[#\(index), \(subFailure.error)]" }
}

/// `race` fails with this when every input failed; failures are in input order.
public struct FailureGroup: Error, CustomStringConvertible {
    public let failures: [Failure]
    public var description: String { "FailureGroup(\(failures.map { "\($0.error)" }.joined(separator: ", ")))" }
}
