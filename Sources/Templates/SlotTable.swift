/// Compile-time map from variable names to frame slots. Every name a compiled template reads or assigns
/// (its own, its includes', its blocks') gets one slot, so rendering never looks names up by string.
final class SlotTable {
    private(set) var names: [String] = []
    private var index: [String: Int] = [:]

    /// The slot of `name`, allocating one on first use.
    func slot(_ name: String) -> Int {
        if let i = index[name] { return i }
        let i = names.count
        names.append(name)
        index[name] = i
        return i
    }

    /// Maps `shadowed` to fresh hidden slots while `body` compiles (comprehension variables do not leak),
    /// then restores the previous mapping. Hidden slot names start with a space, so no caller value fills them.
    func withHiddenSlots<T>(for shadowed: [String], _ body: ([Int]) throws -> T) rethrows -> T {
        let saved = shadowed.map { index[$0] }
        var fresh: [Int] = []
        for name in shadowed {
            let i = names.count
            names.append(" \(name)#\(i)")
            index[name] = i
            fresh.append(i)
        }
        defer {
            for (name, old) in zip(shadowed, saved) { index[name] = old }
        }
        return try body(fresh)
    }
}
