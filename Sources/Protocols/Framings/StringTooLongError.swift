/// Sending a string that does not fit the length prefix (Twisted's `StringTooLongError`).
public struct StringTooLongError: Error, Equatable, CustomStringConvertible {
    public let length: Int
    public let prefixLength: Int
    public var description: String {
        "string of \(length) bytes does not fit a \(prefixLength)-byte length prefix (max \((1 << (8 * prefixLength)) - 1))"
    }
}
