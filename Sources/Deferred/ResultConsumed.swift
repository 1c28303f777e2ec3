/// A result that was moved to another Deferred (by chaining or `await`) is no longer there (Twisted leaves None).
public struct ResultConsumed: CustomStringConvertible, Sendable {
    public var description: String { "<result consumed>" }
}
