/// A Deferred was fired twice (Twisted's `AlreadyCalledError`). In debug mode the message names where the
/// Deferred was created and first fired.
public struct AlreadyCalledError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String = "") { self.message = message }
    public var description: String { message.isEmpty ? "AlreadyCalledError" : "AlreadyCalledError: \(message)" }
}

/// The Deferred was cancelled (Twisted's `CancelledError`).
public struct CancelledError: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "CancelledError" }
}

/// A Deferred given a deadline with `addTimeout` did not fire in time (Twisted's `defer.TimeoutError`).
public struct TimeoutError: Error, Equatable, CustomStringConvertible {
    public let seconds: Double
    public let what: String
    public init(seconds: Double, what: String = "Deferred") { self.seconds = seconds; self.what = what }
    public var description: String { "\(what) timed out after \(seconds) seconds" }
}

/// A step of a chain received a value of another type than its handle promised: a step was added through a
/// handle that was current before a type-changing step, or the result was already taken by a chaining Deferred.
public struct DeferredTypeMismatchError: Error, CustomStringConvertible {
    public let expected: String
    public let actual: String
    public init(expected: String, actual: String) { self.expected = expected; self.actual = actual }
    public var description: String { "Deferred step expected \(expected) but the chain holds \(actual)" }
}

/// A result that was moved to another Deferred (by chaining or `await`) is no longer there (Twisted leaves None).
public struct ResultConsumed: CustomStringConvertible, Sendable {
    public var description: String { "<result consumed>" }
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

/// Errors of ``DeferredQueue``.
public struct QueueOverflow: Error, Equatable { public init() {} }
public struct QueueUnderflow: Error, Equatable { public init() {} }
/// An argument outside its documented range (Twisted raises `ValueError`): a semaphore of fewer than one
/// token, a negative `LoopingCall` interval.
public struct InvalidArgumentError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "InvalidArgumentError: \(message)" }
}
