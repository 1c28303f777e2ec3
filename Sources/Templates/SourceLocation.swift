/// Where a compiled node came from: its file and line, plus the include/block hops (innermost first).
struct SourceLocation: Sendable {
    var file: String
    var line: Int
    var via: [(file: String, line: Int)]

    /// Attaches this location to `error` unless it already has one; wraps non-template errors.
    func locate(_ error: any Error) -> TemplateError {
        if var e = error as? TemplateError {
            if !e.isLocated {
                e.filename = file
                e.line = line
                e.via = via
            }
            return e
        }
        return TemplateError(kind: .callError, message: String(describing: error), filename: file, line: line,
                             via: via, underlying: error)
    }
}
