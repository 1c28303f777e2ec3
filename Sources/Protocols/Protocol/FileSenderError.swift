/// Why a ``FileSender`` transfer did not complete.
public enum FileSenderError: Error, Equatable, CustomStringConvertible {
    /// The consumer called `stopProducing()` before the end of the file.
    case consumerStopped
    /// Reading the file failed.
    case readFailed(String)

    public var description: String {
        switch self {
        case .consumerStopped: return "Consumer asked us to stop producing"
        case .readFailed(let s): return "reading the file failed: \(s)"
        }
    }
}
