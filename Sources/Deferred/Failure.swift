/// An error on its way down a Deferred's chain, with where it was raised (Twisted's `Failure`).
///
/// A reference type so that a failure keeps its identity as it flows: an errback that rethrows the Failure it
/// received passes on the very same object. Wrapping a Failure again returns it unchanged (``Failure/wrap(_:file:line:)``).
public final class Failure: Error, CustomStringConvertible {
    /// The wrapped error.
    public let error: any Error
    /// Where the failure was created (the step that threw, or the `errback` call).
    public let file: String
    public let line: Int

    public init(_ error: any Error, file: String = #fileID, line: Int = #line) {
        if let f = error as? Failure {
            self.error = f.error
        } else {
            self.error = error
        }
        self.file = file
        self.line = line
    }

    /// `error` itself when it is a Failure, else a new Failure wrapping it.
    public static func wrap(_ error: any Error, file: String = #fileID, line: Int = #line) -> Failure {
        if let f = error as? Failure { return f }
        return Failure(error, file: file, line: line)
    }

    /// The first of `types` that the wrapped error is an instance of, or nil (Twisted's `Failure.check`).
    public func check(_ types: any Error.Type...) -> (any Error.Type)? {
        for t in types where t._twisterMatches(error) { return t }
        return nil
    }

    /// True when the wrapped error is an instance of `type`.
    public func check<E: Error>(_ type: E.Type) -> Bool { error is E }

    /// Returns the first of `types` that matches, or rethrows this same Failure so it keeps flowing (Twisted's `trap`).
    @discardableResult
    public func trap(_ types: any Error.Type...) throws -> any Error.Type {
        for t in types where t._twisterMatches(error) { return t }
        throw self
    }

    /// The wrapped error as `E`, if it is one.
    public func value<E: Error>(as type: E.Type) -> E? { error as? E }

    public var description: String { "Failure(\(String(reflecting: error))) at \(file):\(line)" }
}

extension Error {
    static func _twisterMatches(_ e: any Error) -> Bool { e is Self }
}
