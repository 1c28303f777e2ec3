/// A ``RequestHandler`` whose verb methods are `async throws` (Tornado's `async def get(self)`), without an
/// `.async { }` wrapper:
///
/// ```swift
/// final class UserHandler: AsyncRequestHandler {
///     override func get() async throws {
///         let name = try await redis.get("user:\(pathArgs[0] ?? "")").value
///         write(name ?? "nobody")
///     }
/// }
/// ```
///
/// Contract: the verb for the request's method runs as one `Deferred { }` body on the reactor (see
/// ``HandlerResult/async(isolation:_:)``): it starts at once, synchronously up to its first suspension, stays on
/// the reactor thread, and the handler finishes when it returns (unless ``RequestHandler/autoFinish`` is off). A
/// thrown ``HTTPError`` answers its status, any other error 500, as for synchronous verbs. A verb not overridden
/// answers 405. The lifecycle is otherwise ``RequestHandler``'s: ``RequestHandler/prepare()`` stays the
/// synchronous hook (it may return `.async { }` or a Deferred, and the verb waits for it). One Task per request,
/// created only when the verb is called (a request answered with 405, or finished by `prepare`, creates none).
/// Custom verbs: override ``handleAsyncMethod(_:)`` (and ``RequestHandler/supportedMethods``).
open class AsyncRequestHandler: RequestHandler {
    open func get() async throws { throw HTTPError(405) }
    /// HEAD is 405 unless overridden, as in Tornado.
    open func head() async throws { throw HTTPError(405) }
    open func post() async throws { throw HTTPError(405) }
    open func put() async throws { throw HTTPError(405) }
    open func delete() async throws { throw HTTPError(405) }
    open func patch() async throws { throw HTTPError(405) }
    open func options() async throws { throw HTTPError(405) }

    /// Called, as the request's async body, for a method other than the seven above (default: 405).
    open func handleAsyncMethod(_ method: String) async throws { throw HTTPError(405) }

    /// Runs the async verb for `method` as the request's async body. The verb is called straight from the body
    /// (not through ``handleAsyncMethod(_:)``): one isolated call less per request, about 800 instructions.
    public final override func handleMethod(_ method: String) throws -> HandlerResult {
        switch method {
        case "GET": return .async { try await self.get() as Void }
        case "POST": return .async { try await self.post() as Void }
        case "HEAD": return .async { try await self.head() as Void }
        case "PUT": return .async { try await self.put() as Void }
        case "DELETE": return .async { try await self.delete() as Void }
        case "PATCH": return .async { try await self.patch() as Void }
        case "OPTIONS": return .async { try await self.options() as Void }
        default: return .async { try await self.handleAsyncMethod(method) }
        }
    }
}
