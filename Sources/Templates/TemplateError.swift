/// An error from parsing or rendering a template, naming the file and line like Tornado:
/// `Missing end expression }} at foo.html:3`, `division by zero at sub.html:1 (via base.html:1)`.
///
/// `via` lists the include/extends hops that led to `filename` (innermost first), as Tornado's
/// `# sub.html:1 (via base.html:1)` trace comments do.
public struct TemplateError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, named after the Python exception Tornado would raise.
    public enum Kind: String, Sendable {
        /// The template text is malformed (Tornado's ParseError, Python's SyntaxError).
        case parseError = "ParseError"
        case nameError = "NameError"
        case typeError = "TypeError"
        case valueError = "ValueError"
        case keyError = "KeyError"
        case indexError = "IndexError"
        case attributeError = "AttributeError"
        case zeroDivisionError = "ZeroDivisionError"
        case overflowError = "OverflowError"
        /// A template file could not be found or read.
        case loadError = "IOError"
        /// A function passed in by the caller threw a non-template error (see `underlying`).
        case callError = "Exception"
    }

    public var kind: Kind
    /// The message without location, e.g. `Missing end expression }}` or `name 'x' is not defined`.
    public var message: String
    /// The template name (`<string>` for a template built without a name); empty until located.
    public var filename: String
    /// The 1-based line in `filename`; 0 until located.
    public var line: Int
    /// The include and block hops, innermost first, as `(file, line)`.
    public var via: [(file: String, line: Int)]
    /// The error a caller-supplied function threw, if that is where this came from.
    public var underlying: (any Error)?

    public init(kind: Kind, message: String, filename: String = "", line: Int = 0,
                via: [(file: String, line: Int)] = [], underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.filename = filename
        self.line = line
        self.via = via
        self.underlying = underlying
    }

    /// True once a file and line have been attached.
    public var isLocated: Bool { !filename.isEmpty }

    /// `file:line` plus ` (via a.html:1, b.html:2)` when there are hops.
    public var location: String {
        var s = "\(filename):\(line)"
        if !via.isEmpty {
            s += " (via " + via.map { "\($0.file):\($0.line)" }.joined(separator: ", ") + ")"
        }
        return s
    }

    /// `message at file:line (via …)`.
    public var description: String { "\(message) at \(location)" }
}
