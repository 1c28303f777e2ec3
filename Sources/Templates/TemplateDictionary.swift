/// A template dictionary: string keys in insertion order, as Python dicts keep them.
///
/// Small dictionaries (the common case: a row with a handful of fields) are searched linearly, which for
/// short keys is a couple of word compares per entry and no hashing; past 16 entries a hash index is kept too.
/// Copy-on-write: copying is one reference-count increment.
///
/// Equality ignores order, as in Python. A Swift `[String: TemplateValue]` converted with `init(_:)` is
/// ordered by sorted key (Swift dictionaries have no order of their own).
public struct TemplateDictionary: Sendable {
    final class Storage: @unchecked Sendable {  // safe: never mutated once shared (copy-on-write checks uniqueness)
        // Unchecked: a storage is mutated only through a uniquely referenced TemplateDictionary, so no two
        // accesses can overlap; the dynamic exclusivity check would cost more than the lookup itself.
        @exclusivity(unchecked) var keys: [String]
        @exclusivity(unchecked) var values: [TemplateValue]
        @exclusivity(unchecked) var index: [String: Int]?
        /// `keyFingerprint` of each key: unequal fingerprints rule a key out without a string compare.
        @exclusivity(unchecked) var fingerprints: [UInt64]

        init(keys: [String], values: [TemplateValue]) {
            self.keys = keys
            self.values = values
            self.fingerprints = keys.map(keyFingerprint)
            if keys.count > TemplateDictionary.linearLimit { rebuildIndex() }
        }

        func rebuildIndex() {
            var idx: [String: Int] = [:]
            idx.reserveCapacity(keys.count)
            for (i, k) in keys.enumerated() { idx[k] = i }
            index = idx
        }

        @inline(__always)
        func position(of key: String, fingerprint: UInt64) -> Int? {
            if let index { return index[key] }
            var i = 0
            let n = fingerprints.count
            while i < n {
                if fingerprints[i] == fingerprint && keys[i] == key { return i }
                i += 1
            }
            return nil
        }

        func position(of key: String) -> Int? {
            position(of: key, fingerprint: keyFingerprint(key))
        }
    }

    static let linearLimit = 16
    private var storage: Storage

    /// An empty dictionary.
    public init() {
        storage = Storage(keys: [], values: [])
    }

    /// The entries of a Swift dictionary, ordered by sorted key.
    public init(_ dictionary: [String: TemplateValue]) {
        let keys = dictionary.keys.sorted()
        storage = Storage(keys: keys, values: keys.map { dictionary[$0]! })
    }

    /// The entries in the order given; a later duplicate key replaces the earlier value in place.
    public init(ordered entries: [(String, TemplateValue)]) {
        self.init()
        for (k, v) in entries { self[k] = v }
    }

    public var count: Int { storage.keys.count }
    public var isEmpty: Bool { storage.keys.isEmpty }
    /// Keys in insertion order.
    public var keys: [String] { storage.keys }
    /// Values in insertion order.
    public var values: [TemplateValue] { storage.values }

    /// The value for `key` whose `keyFingerprint` the caller computed in advance (compiled lookups).
    @inline(__always)
    func value(forKey key: String, fingerprint: UInt64) -> TemplateValue? {
        guard let i = storage.position(of: key, fingerprint: fingerprint) else { return nil }
        return storage.values[i]
    }

    /// The value for `key`, or nil. Setting nil removes the entry; setting a new key appends it.
    public subscript(key: String) -> TemplateValue? {
        @inline(__always) get {
            guard let i = storage.position(of: key) else { return nil }
            return storage.values[i]
        }
        set {
            if !isKnownUniquelyReferenced(&storage) {
                storage = Storage(keys: storage.keys, values: storage.values)
            }
            if let i = storage.position(of: key) {
                if let newValue {
                    storage.values[i] = newValue
                } else {
                    storage.keys.remove(at: i)
                    storage.values.remove(at: i)
                    storage.fingerprints.remove(at: i)
                    if storage.index != nil { storage.rebuildIndex() }
                }
            } else if let newValue {
                storage.keys.append(key)
                storage.values.append(newValue)
                storage.fingerprints.append(keyFingerprint(key))
                if storage.index != nil {
                    storage.index![key] = storage.keys.count - 1
                } else if storage.keys.count > Self.linearLimit {
                    storage.rebuildIndex()
                }
            }
        }
    }

    /// A Swift dictionary with the same entries.
    public var swiftDictionary: [String: TemplateValue] {
        Dictionary(uniqueKeysWithValues: zip(storage.keys, storage.values))
    }

    /// The dictionary with `transform` applied to every value, order kept.
    public func mapValues(_ transform: (TemplateValue) throws -> TemplateValue) rethrows -> TemplateDictionary {
        var out = TemplateDictionary()
        out.storage = Storage(keys: storage.keys, values: try storage.values.map(transform))
        return out
    }
}

extension TemplateDictionary: Sequence {
    /// Iterates `(key, value)` pairs in insertion order.
    public func makeIterator() -> AnyIterator<(key: String, value: TemplateValue)> {
        var i = 0
        let s = storage
        return AnyIterator {
            guard i < s.keys.count else { return nil }
            defer { i += 1 }
            return (s.keys[i], s.values[i])
        }
    }
}

extension TemplateDictionary: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self.init(ordered: elements)
    }
}

extension TemplateDictionary: Equatable {
    /// Same keys with equal values, in any order (Python semantics).
    public static func == (lhs: TemplateDictionary, rhs: TemplateDictionary) -> Bool {
        if lhs.storage === rhs.storage { return true }
        guard lhs.count == rhs.count else { return false }
        for (k, v) in zip(lhs.storage.keys, lhs.storage.values) {
            guard let other = rhs[k], other == v else { return false }
        }
        return true
    }
}

extension TemplateDictionary: TemplateRepresentable {
    public var templateValue: TemplateValue { .dictionary(self) }
}

/// A cheap summary of a key: its UTF-8 length and first seven bytes. Equal strings have equal fingerprints;
/// most distinct field names differ in it, which saves the full string comparison.
@inline(__always)
func keyFingerprint(_ key: String) -> UInt64 {
    let utf8 = key.utf8
    return utf8.withContiguousStorageIfAvailable { fingerprint(bytes: $0) } ?? {
        var copy = key
        return copy.withUTF8 { fingerprint(bytes: $0) }
    }()
}

@inline(__always)
private func fingerprint(bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var f = UInt64(truncatingIfNeeded: bytes.count) << 56
    var i = 0
    let n = min(bytes.count, 7)
    while i < n {
        f |= UInt64(bytes[i]) << (UInt64(i) * 8)
        i += 1
    }
    return f
}
