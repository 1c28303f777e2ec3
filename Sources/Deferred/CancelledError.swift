/// The Deferred was cancelled (Twisted's `CancelledError`).
public struct CancelledError: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "CancelledError" }
}
