/// How a child process ended (Twisted's `ProcessDone` / `ProcessTerminated`): the reason given to
/// `processExited` and `processEnded`.
public enum ProcessEnd: Error, Sendable, Equatable, CustomStringConvertible {
    /// Exit status 0.
    case done
    /// A non-zero exit status, or death by a signal.
    case terminated(exitCode: Int32?, signal: Int32?)

    public var exitCode: Int32? {
        switch self { case .done: return 0; case .terminated(let c, _): return c }
    }
    public var signal: Int32? {
        switch self { case .done: return nil; case .terminated(_, let s): return s }
    }
    public var description: String {
        switch self {
        case .done: return "A process has ended without apparent errors: process finished with exit code 0."
        case .terminated(let c?, _): return "A process has ended with a probable error condition: process ended with exit code \(c)."
        case .terminated(_, let s?): return "A process has ended with a probable error condition: process ended by signal \(s)."
        case .terminated: return "A process has ended with a probable error condition."
        }
    }
}
