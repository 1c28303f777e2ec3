/// A Deferred given a deadline with `addTimeout` did not fire in time (Twisted's `defer.TimeoutError`).
public struct TimeoutError: Error, Equatable, CustomStringConvertible {
    public let seconds: Double
    public let what: String
    public init(seconds: Double, what: String = "Deferred") { self.seconds = seconds; self.what = what }
    public var description: String { "\(what) timed out after \(seconds) seconds" }
}
