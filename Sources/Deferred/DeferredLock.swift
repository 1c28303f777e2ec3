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

/// An event queue of Deferreds (Twisted's `DeferredQueue`).
///
/// `put` hands the item to the oldest waiting `get`, else keeps it if fewer than `size` are pending, else
/// throws ``QueueOverflow``. `get` returns a fired Deferred with the oldest pending item, else a waiting one if
/// fewer than `backlog` are waiting, else throws ``QueueUnderflow``. A cancelled `get` leaves the queue.
public final class DeferredQueue<Element> {
    public let size: Int?
    public let backlog: Int?
    public private(set) var pending: [Element] = []
    private var waiting: [Deferred<Element>] = []

    /// nil means unbounded.
    public init(size: Int? = nil, backlog: Int? = nil) {
        self.size = size
        self.backlog = backlog
    }

    public func put(_ item: Element) throws {
        if !waiting.isEmpty {
            waiting.removeFirst().callback(item)
        } else if size == nil || pending.count < size! {
            pending.append(item)
        } else {
            throw QueueOverflow()
        }
    }

    public func get() throws -> Deferred<Element> {
        if !pending.isEmpty {
            return Deferred.succeed(pending.removeFirst())
        }
        if backlog == nil || waiting.count < backlog! {
            let d = Deferred<Element>(canceller: { [weak self] d in
                self?.waiting.removeAll { $0.isSame(d) }
            })
            waiting.append(d)
            return d
        }
        throw QueueUnderflow()
    }
}
