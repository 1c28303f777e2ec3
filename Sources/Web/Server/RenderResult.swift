import TwisterProtocols
import TwisterHTTP

/// What a render method returns (Twisted's bytes / `NOT_DONE_YET`, plus Deferreds and async bodies).
///
/// - `.body(bytes)`: the whole response body. The Request sets Content-Length, writes head and body in one
///   write, and finishes. No Task, no extra allocation.
/// - `.notDoneYet`: the resource keeps the request and calls `request.write` / `request.finish` later
///   (Twisted's `NOT_DONE_YET`).
/// - `.deferred(d)`: the body arrives later; when `d` fires the Request writes it and finishes; a failure
///   answers 500 (or the status of a ``ResourceError``). No Task is created.
/// - `.async { … }`: a convenience that runs the async closure as `Deferred { … }` on the reactor (this one
///   creates a Task).
///
/// A string literal is a body: `return "Hello"`.
public enum RenderResult: ExpressibleByStringLiteral {
    case body(ByteBuffer)
    case notDoneYet
    case deferred(Deferred<ByteBuffer>)

    public init(stringLiteral value: String) { self = .body(ByteBuffer(string: value)) }

    /// A body from a String (UTF-8).
    public static func text(_ s: String) -> RenderResult { .body(ByteBuffer(string: s)) }

    /// A body produced by an async closure, which starts at once on the caller's actor (the reactor).
    public static func async(isolation: isolated (any Actor)? = #isolation,
                             _ body: nonisolated(nonsending) @escaping () async throws -> ByteBuffer) -> RenderResult {
        .deferred(Deferred(isolation: isolation, body))
    }
}
