import TwisterProtocols

/// HTTP header fields: ordered, case-insensitive by name, multi-valued (Twisted's `Headers`).
///
/// Names keep the case they were added with (for output) and compare case-insensitively (ASCII).
/// Setting replaces every field of that name; adding appends another one.
public struct HTTPHeaders: Sendable, Sequence, Equatable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(_ pairs: [(String, String)]) {
        fields.reserveCapacity(pairs.count)
        for (n, v) in pairs { add(n, v) }
    }
    /// Headers holding `fields` as they are, without a copy (for a parser that already checked them).
    package init(parsedFields: [(name: String, value: String)]) { fields = parsedFields }
    public init(dictionaryLiteral elements: (String, String)...) { for (n, v) in elements { add(n, v) } }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        get { first(name) }
        set { if let newValue { set(name, newValue) } else { remove(name) } }
    }

    public func first(_ name: String) -> String? {
        for f in fields where Self.equalsIgnoringCase(f.name, name) { return f.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { Self.equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }

    public func contains(_ name: String) -> Bool { first(name) != nil }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Makes room for `n` fields in all (one allocation instead of growing field by field).
    public mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }

    public mutating func set(_ name: String, _ value: String) {
        if let i = fields.firstIndex(where: { Self.equalsIgnoringCase($0.name, name) }) {
            fields[i].value = value
            var j = fields.count - 1
            while j > i {
                if Self.equalsIgnoringCase(fields[j].name, name) { fields.remove(at: j) }
                j -= 1
            }
        } else {
            fields.append((name, value))
        }
    }

    public mutating func remove(_ name: String) { fields.removeAll { Self.equalsIgnoringCase($0.name, name) } }

    /// True when the comma-separated values of `name` include `token` (case-insensitive), e.g. `Connection: close`.
    public func hasToken(_ name: String, _ token: String) -> Bool {
        for v in values(name) {
            for part in v.split(separator: ",") where Self.equalsIgnoringCase(part.trimmingSpaces, token) { return true }
        }
        return false
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { equalsIgnoringCase($0.name, $1.name) && $0.value == $1.value }
    }

    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }

    /// ASCII case-insensitive comparison.
    @inlinable public static func equalsIgnoringCase<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        let au = a.utf8, bu = b.utf8
        guard au.count == bu.count else { return false }
        for (x, y) in zip(au, bu) where x != y {
            let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
            let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }

    /// ASCII case-insensitive comparison of two strings, on their contiguous UTF-8 (native strings, the usual
    /// case): the generic version above walks two `UTF8View`s in step (`Zip2Sequence`), several times slower.
    /// Calls with two `String`s (every lookup by name in this type) resolve to this overload.
    @inlinable public static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        let fast: Bool?? = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                for i in 0..<x.count {
                    let p = x[i], q = y[i]
                    if p == q { continue }
                    let lp = p &- 65 < 26 ? p | 0x20 : p
                    let lq = q &- 65 < 26 ? q | 0x20 : q
                    if lp != lq { return false }
                }
                return true
            }
        }
        if let fast, let fast { return fast }
        return equalsIgnoringCase(Substring(a), Substring(b))
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    package var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
