/// A Deferred was fired twice (Twisted's `AlreadyCalledError`). In debug mode the message names where the
/// Deferred was created and first fired.
public struct AlreadyCalledError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String = "") { self.message = message }
    public var description: String { message.isEmpty ? "AlreadyCalledError" : "AlreadyCalledError: \(message)" }
}
