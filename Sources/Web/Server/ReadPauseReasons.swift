import TwisterProtocols

/// Why an ``HTTPChannel`` has stopped reading from its transport. Reading resumes only when the set is empty;
/// each reason is set and cleared by its own owner (reactor thread only).
struct ReadPauseReasons: OptionSet, Sendable {
    let rawValue: UInt8

    /// The application paused reading (``Request/pauseReading()``, a streamed request body); cleared by
    /// ``Request/resumeReading()`` or when the request finishes. No idle timeout runs meanwhile.
    static let application = ReadPauseReasons(rawValue: 1 << 0)
    /// Pipelined input above ``HTTPServerSettings/maxPipelineBuffer`` arrived while a request is being answered;
    /// cleared when that request finishes (or the connection switches protocols).
    static let pipeline = ReadPauseReasons(rawValue: 1 << 1)
    /// The transport's write buffer is full (it paused the channel as its producer); cleared when it drains.
    static let writeBackpressure = ReadPauseReasons(rawValue: 1 << 2)
}
