/// A first-in first-out queue with O(1) amortised `append` and `popFirst` (an array with a moving head that is
/// compacted once the consumed prefix is both large and at least half of the storage).
///
/// Used for requests awaiting replies in order (the memcached and Redis clients). Not thread-safe.
public struct FIFOQueue<Element> {
    private var storage: [Element] = []
    private var head = 0

    public init() {}

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { head == storage.count }

    /// The oldest element, or nil; settable to replace it in place.
    public var first: Element? {
        get { isEmpty ? nil : storage[head] }
        set {
            guard let newValue, !isEmpty else { return }
            storage[head] = newValue
        }
    }

    public mutating func append(_ e: Element) { storage.append(e) }
    public mutating func append<S: Sequence>(contentsOf s: S) where S.Element == Element { storage.append(contentsOf: s) }

    /// Removes and returns the oldest element, or nil when empty.
    public mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let e = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return e
    }

    /// Removes and returns every element, oldest first.
    public mutating func removeAll() -> [Element] {
        let rest = Array(storage[head...])
        storage = []
        head = 0
        return rest
    }

    public func contains(where predicate: (Element) throws -> Bool) rethrows -> Bool {
        try storage[head...].contains(where: predicate)
    }
}
