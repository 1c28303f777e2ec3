/// A step of a chain received a value of another type than its handle promised: a step was added through a
/// handle that was current before a type-changing step, or the result was already taken by a chaining Deferred.
public struct DeferredTypeMismatchError: Error, CustomStringConvertible {
    public let expected: String
    public let actual: String
    public init(expected: String, actual: String) { self.expected = expected; self.actual = actual }
    public var description: String { "Deferred step expected \(expected) but the chain holds \(actual)" }
}
