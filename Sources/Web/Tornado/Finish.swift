import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Thrown to end the request without an error (Tornado's `Finish`): the handler finishes, keeping the status
/// and headers set so far, after writing `chunk` if given.
public struct Finish: Error, Sendable {
    public let chunk: String?
    public init(_ chunk: String? = nil) { self.chunk = chunk }
}
