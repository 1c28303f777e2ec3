/// An argument outside its documented range (Twisted raises `ValueError`): a semaphore of fewer than one
/// token, a negative `LoopingCall` interval.
public struct InvalidArgumentError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "InvalidArgumentError: \(message)" }
}
