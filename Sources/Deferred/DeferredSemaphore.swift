/// A counting semaphore whose `acquire` returns a Deferred (Twisted's `DeferredSemaphore`).
public final class DeferredSemaphore {
    public let limit: Int
    public private(set) var tokens: Int
    private var waiting: [Deferred<DeferredSemaphore>] = []

    /// `tokens` must be at least 1 (else ``InvalidArgumentError``).
    public init(_ tokens: Int) throws {
        guard tokens >= 1 else { throw InvalidArgumentError("DeferredSemaphore requires tokens >= 1") }
        self.limit = tokens
        self.tokens = tokens
    }

    public func acquire() -> Deferred<DeferredSemaphore> {
        let d = Deferred<DeferredSemaphore>(canceller: { [weak self] d in
            self?.waiting.removeAll { $0.isSame(d) }
        })
        if tokens == 0 {
            waiting.append(d)
        } else {
            tokens -= 1
            d.callback(self)
        }
        return d
    }

    public func release() {
        precondition(tokens < limit, "DeferredSemaphore released too many times")
        tokens += 1
        if !waiting.isEmpty {
            tokens -= 1
            waiting.removeFirst().callback(self)
        }
    }

    public func run<T>(_ f: @escaping () throws -> Deferred<T>) -> Deferred<T> {
        acquire().addDeferredCallback { sem in
            maybeDeferred(f).addBoth { r in
                sem.release()
                return try r.get()
            }
        }
    }

    public func withToken<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async throws -> T {
        _ = try await acquire().value
        defer { release() }
        return try await body()
    }
}
