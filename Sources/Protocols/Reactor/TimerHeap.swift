/// A binary min-heap of delayed calls ordered by (deadline, sequence number), so calls due at the same time run
/// in the order they were scheduled. Each call records its index, so removal and rescheduling are O(log n).
/// Loop-thread only.
struct TimerHeap {
    private(set) var items: [ReactorDelayedCall] = []
    private var nextSeq: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: ReactorDelayedCall? { items.first }

    @inline(__always)
    private static func less(_ a: ReactorDelayedCall, _ b: ReactorDelayedCall) -> Bool {
        a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq)
    }

    mutating func insert(_ c: ReactorDelayedCall) {
        c.seq = nextSeq; nextSeq &+= 1
        c.heapIndex = items.count
        items.append(c)
        siftUp(items.count - 1)
    }

    mutating func popFirst() -> ReactorDelayedCall? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        remove(at: 0)
        return top
    }

    mutating func remove(_ c: ReactorDelayedCall) {
        let i = c.heapIndex
        guard i >= 0, i < items.count, items[i] === c else { return }
        remove(at: i)
    }

    /// Call after changing `c.deadline`.
    mutating func update(_ c: ReactorDelayedCall) {
        let i = c.heapIndex
        guard i >= 0, i < items.count, items[i] === c else { return }
        c.seq = nextSeq; nextSeq &+= 1
        siftUp(i)
        siftDown(c.heapIndex)
    }

    private mutating func remove(at i: Int) {
        let removed = items[i]
        let last = items.count - 1
        if i != last {
            items.swapAt(i, last)
            items[i].heapIndex = i
        }
        items.removeLast()
        removed.heapIndex = -1
        if i < items.count {
            let moved = items[i]
            siftUp(i)
            siftDown(moved.heapIndex)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let p = (i - 1) / 2
            if Self.less(items[i], items[p]) {
                items.swapAt(i, p)
                items[i].heapIndex = i
                items[p].heapIndex = p
                i = p
            } else { break }
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = items.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && Self.less(items[l], items[m]) { m = l }
            if r < n && Self.less(items[r], items[m]) { m = r }
            if m == i { return }
            items.swapAt(i, m)
            items[i].heapIndex = i
            items[m].heapIndex = m
            i = m
        }
    }
}
