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

/// Errors of ``DeferredQueue``.
public struct QueueOverflow: Error, Equatable { public init() {} }

public struct QueueUnderflow: Error, Equatable { public init() {} }
