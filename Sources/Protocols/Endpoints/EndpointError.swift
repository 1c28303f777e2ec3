/// Why an endpoint description string was rejected. The message names the offending field.
public struct EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault ("type", "port", "interface", "mode", …).
    public let field: String
    public let message: String
    public init(field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "bad endpoint description: \(field): \(message)" }
}
