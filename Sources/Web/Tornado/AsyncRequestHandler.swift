import TwisterProtocols

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
/// Contract: the verb for the request's method starts at once, synchronously up to its first suspension, on the
/// reactor thread, and stays there (its awaits resume on the reactor); the handler finishes when it returns
/// (unless ``RequestHandler/autoFinish`` is off). A thrown ``HTTPError`` answers its status, any other error 500,
/// as for synchronous verbs. A verb not overridden answers 405. If the client goes away while the verb awaits a
/// Deferred, ``RequestHandler/onConnectionClose()`` runs and then that Deferred is cancelled (the verb sees
/// ``CancelledError`` where it awaits; an error it throws then answers nothing, the connection being gone). The
/// lifecycle is otherwise ``RequestHandler``'s: ``RequestHandler/prepare()`` stays the synchronous hook (it may
/// return `.async { }` or a Deferred, and the verb waits for it). Custom verbs: override
/// ``handleAsyncMethod(_:)`` (and ``RequestHandler/supportedMethods``).
///
/// The verb does not get a Task of its own: it runs on one of the reactor's parked worker tasks
/// (`ReusableTaskPool`, reused from request to request; Docs/internals/async-path.md), which carries no task-locals
/// of the code that delivered the request. A verb that must see the caller's task-locals is written as a
/// synchronous verb returning `.async { }` (a `Deferred { }` body, with its own Task).
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

    /// The reactor's parked worker tasks that run async verbs (see the type's documentation).
    package static let workers = ReusableTaskPool(starter: ReactorActor.shared)

    /// The running verb, while it runs past its first suspension (for the cancellation on connection loss).
    // `@exclusivity(unchecked)`: as ``RequestHandler``'s stored vars (confined to the reactor thread, no access spans
    // a call into user code: set after `start` returns and cleared before `verbDone`/`handleRequestException`).
    @exclusivity(unchecked) var verbRun: ReusedTaskRun?

    /// Step 5 of the lifecycle for async verbs: the verb runs on a reactor worker task (started, and run up to its
    /// first suspension, before this returns).
    override func runVerb() {
        if finished { return }
        let run = Self.workers.start(self, Self.runBody)
        if run.isRunning {
            verbRun = run
            watchConnection()
        }
    }

    /// The worker's body: a static function, not a closure written here, which would be reactor-isolated and
    /// reach the pool through a thunk that hops onto the reactor (two task switches more per request).
    private nonisolated(nonsending) static func runBody(_ owner: AnyObject) async {
        // Safe: the only owner passed with this body (`runVerb`) is `self`, an AsyncRequestHandler (checked in
        // debug builds by `unsafeDowncast`; every async handler test runs this line).
        await unsafeDowncast(owner, to: AsyncRequestHandler.self).runAsyncVerb()
    }

    /// The body run on the worker: the verb, then finishing (or the error response). `nonisolated(nonsending)`
    /// with the verb called directly from it: every call into a reactor-isolated async function costs two
    /// `swift_task_switch`es (entry and return, each ~250 instructions with the executor-preference lookup) even
    /// on the reactor; this way the verb's own entry and the return from it are the only ones (four fewer per
    /// request). It runs on the reactor thread (the worker's isolation is the reactor), which the
    /// `assumeIsolated` calls check.
    private nonisolated(nonsending) func runAsyncVerb() async {
        let method = ReactorActor.assumeIsolated { self.request.method }
        do {
            switch method {
            case "GET": try await get()
            case "POST": try await post()
            case "HEAD": try await head()
            case "PUT": try await put()
            case "DELETE": try await delete()
            case "PATCH": try await patch()
            case "OPTIONS": try await options()
            default: try await handleAsyncMethod(method)
            }
            ReactorActor.assumeIsolated {
                self.verbRun = nil
                self.verbDone()
            }
        } catch {
            ReactorActor.assumeIsolated { self.asyncVerbFailed(error) }
        }
    }

    private func asyncVerbFailed(_ error: any Error) {
        verbRun = nil
        // The client went away and the verb's await was cancelled: there is no one to answer.
        if request.disconnected { return }
        handleRequestException(error)
    }

    package override func requestConnectionLost() {
        super.requestConnectionLost()
        if let run = verbRun {
            verbRun = nil
            run.cancel()
        }
    }

    /// Runs the async verb for `method` as a `Deferred { }` body (used only when something calls
    /// ``RequestHandler/handleMethod(_:)`` itself; the lifecycle runs the verb through ``runVerb()``).
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
