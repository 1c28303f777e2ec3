/// A first-in first-out queue with O(1) `append` and `popFirst`: a ring buffer of optional slots whose capacity is
/// a power of two, doubled when full.
///
/// `popFirst` moves the element out of its slot (the slot becomes nil at once), so a popped element is released as
/// soon as the caller drops it, and nothing is copied or destroyed in bulk later. Used for requests awaiting replies
/// in order (the memcached and Redis clients). Not thread-safe.
public struct FIFOQueue<Element> {
    private var slots: ContiguousArray<Element?> = []
    /// Index of the oldest element in `slots`.
    private var head = 0
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// The oldest element, or nil; settable to replace it in place.
    public var first: Element? {
        get { isEmpty ? nil : slots[head] }
        set {
            guard let newValue, !isEmpty else { return }
            slots[head] = newValue
        }
    }

    public mutating func append(_ e: Element) {
        if count == slots.count { grow() }
        slots[(head + count) & (slots.count - 1)] = e
        count += 1
    }

    public mutating func append<S: Sequence>(contentsOf s: S) where S.Element == Element {
        for e in s { append(e) }
    }

    /// Removes and returns the oldest element, or nil when empty.
    public mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let e = slots[head].take()
        head = (head + 1) & (slots.count - 1)
        count -= 1
        if count == 0 { head = 0 }
        return e
    }

    /// Removes and returns every element, oldest first.
    public mutating func removeAll() -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(count)
        while let e = popFirst() { out.append(e) }
        return out
    }

    public func contains(where predicate: (Element) throws -> Bool) rethrows -> Bool {
        var i = 0
        while i < count {
            if try predicate(slots[(head + i) & (slots.count - 1)]!) { return true }
            i += 1
        }
        return false
    }

    /// Doubles the capacity (16 at first), moving the elements to the front in order.
    private mutating func grow() {
        let newCapacity = Swift.max(16, slots.count * 2)
        var fresh = ContiguousArray<Element?>(repeating: nil, count: newCapacity)
        var i = 0
        while i < count {
            fresh[i] = slots[(head + i) & (slots.count - 1)].take()
            i += 1
        }
        slots = fresh
        head = 0
    }
}
