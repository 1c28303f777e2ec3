import TwisterProtocols

/// The response used a content coding this client cannot decode, or its compressed data was corrupt.
public struct ContentDecodingError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "Content decoding failed: \(message)" }
}
