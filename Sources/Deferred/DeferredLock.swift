/// A lock whose `acquire` returns a Deferred (Twisted's `DeferredLock`).
///
/// Contract: `acquire()` fires at once when the lock is free, else waiters are served first-in first-out;
/// cancelling a waiting acquire removes it (CancelledError) and cancelling a granted one does nothing.
/// `release()` hands the lock to the next waiter or unlocks; releasing an unlocked lock is a programming error.
public final class DeferredLock {
    public private(set) var locked = false
    private var waiting: [Deferred<DeferredLock>] = []

    public init() {}

    public func acquire() -> Deferred<DeferredLock> {
        let d = Deferred<DeferredLock>(canceller: { [weak self] d in
            self?.waiting.removeAll { $0.isSame(d) }
        })
        if locked {
            waiting.append(d)
        } else {
            locked = true
            d.callback(self)
        }
        return d
    }

    public func release() {
        precondition(locked, "DeferredLock.release() of an unlocked lock")
        if waiting.isEmpty {
            locked = false
        } else {
            waiting.removeFirst().callback(self)
        }
    }

    /// Acquires, runs `f`, and releases when its Deferred fires (success or failure); the result passes through.
    public func run<T>(_ f: @escaping () throws -> Deferred<T>) -> Deferred<T> {
        acquire().addDeferredCallback { lock in
            maybeDeferred(f).addBoth { r in
                lock.release()
                return try r.get()
            }
        }
    }

    /// Acquires, runs the async `body`, releases on exit (also when it throws): Twisted's `async with lock`.
    public func withLock<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async throws -> T {
        _ = try await acquire().value
        defer { release() }
        return try await body()
    }
}
