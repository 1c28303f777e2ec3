import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// What `prepare` and the verb methods of a ``RequestHandler`` return.
///
/// - `.done`: the method answered synchronously. The handler finishes at once (unless it called `finish`
///   already or turned ``RequestHandler/autoFinish`` off). No Task, no Deferred is created: the hot path.
/// - `.deferred(d)`: the answer comes later; the handler finishes when `d` fires (a failure is handled like a
///   thrown error: ``HTTPError`` → its status, anything else → 500).
/// - `.async { … }`: the body runs as `Deferred { … }` on the caller's actor (the reactor), starting at once,
///   synchronously up to its first suspension; the handler finishes when it returns. This creates a Task.
public struct HandlerResult {
    let deferred: Deferred<Void>?

    init(_ d: Deferred<Void>?) { deferred = d }

    /// Answered synchronously.
    public static var done: HandlerResult { HandlerResult(nil) }

    /// Finishes when `d` fires.
    public static func deferred<T>(_ d: Deferred<T>) -> HandlerResult {
        if let void = d as? Deferred<Void> { return HandlerResult(void) }
        return HandlerResult(d.addCallback { (_: T) -> Void in })
    }

    /// Runs `body` as an async function on the caller's actor (the reactor, for a handler); finishes when it
    /// returns.
    public static func async(isolation: isolated (any Actor)? = #isolation,
                             _ body: nonisolated(nonsending) @escaping () async throws -> Void) -> HandlerResult {
        HandlerResult(Deferred(isolation: isolation, body))
    }
}
