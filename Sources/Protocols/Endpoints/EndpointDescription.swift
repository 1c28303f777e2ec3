

/// A parsed endpoint description (Twisted's string grammar): fields separated by `:`, a backslash escapes the next
/// character, the first `=` in a field splits key from value (later ones are literal), fields without `=` are
/// positional. The first field is the endpoint type.
struct EndpointDescription {
    var type: String
    var positional: [String] = []
    var keywords: [String: String] = [:]
    private var used: Set<String> = []

    init(_ text: String) throws(EndpointError) {
        var current = ""
        var keyEnd: String.Index? = nil
        var parts: [(key: String?, value: String)] = []
        var escaping = false
        for ch in text {
            if escaping { current.append(ch); escaping = false; continue }
            switch ch {
            case "\\": escaping = true
            case ":":
                parts.append(Self.split(current, keyEnd))
                current = ""; keyEnd = nil
            case "=" where keyEnd == nil:
                keyEnd = current.endIndex
                current.append(ch)
            default:
                current.append(ch)
            }
        }
        if escaping { throw EndpointError(field: "description", "ends with a lone backslash") }
        parts.append(Self.split(current, keyEnd))
        guard let first = parts.first, first.key == nil, !first.value.isEmpty else {
            throw EndpointError(field: "type", "missing endpoint type in \"\(text)\"")
        }
        type = first.value
        for p in parts.dropFirst() {
            if let k = p.key {
                if keywords[k] != nil { throw EndpointError(field: k, "given twice") }
                keywords[k] = p.value
            } else {
                positional.append(p.value)
            }
        }
    }

    private static func split(_ s: String, _ keyEnd: String.Index?) -> (key: String?, value: String) {
        guard let keyEnd else { return (nil, s) }
        return (String(s[..<keyEnd]), String(s[s.index(after: keyEnd)...]))
    }

    /// The value of `key`, or the positional argument at `position` when the keyword is absent.
    mutating func value(_ key: String, position: Int? = nil) throws(EndpointError) -> String? {
        used.insert(key)
        if let v = keywords[key] {
            if let position, position < positional.count {
                throw EndpointError(field: key, "given both by position and as \(key)=")
            }
            return v
        }
        if let position, position < positional.count { return positional[position] }
        return nil
    }

    mutating func required(_ key: String, position: Int? = nil) throws(EndpointError) -> String {
        guard let v = try value(key, position: position), !v.isEmpty else { throw EndpointError(field: key, "missing") }
        return v
    }

    mutating func port(_ key: String = "port", position: Int?, required: Bool = true) throws(EndpointError) -> Int? {
        guard let s = try value(key, position: position) else {
            if required { throw EndpointError(field: key, "missing") }
            return nil
        }
        guard let p = Int(s), (0...65535).contains(p) else { throw EndpointError(field: key, "not a port number: \"\(s)\"") }
        return p
    }

    mutating func int(_ key: String, radix: Int = 10, range: ClosedRange<Int> = 0...Int.max) throws(EndpointError) -> Int? {
        guard let s = try value(key) else { return nil }
        guard let v = Int(s, radix: radix), range.contains(v) else {
            throw EndpointError(field: key, "not a valid \(radix == 8 ? "octal mode" : "number"): \"\(s)\"")
        }
        return v
    }

    mutating func double(_ key: String) throws(EndpointError) -> Double? {
        guard let s = try value(key) else { return nil }
        guard let v = Double(s), v >= 0 else { throw EndpointError(field: key, "not a number of seconds: \"\(s)\"") }
        return v
    }

    mutating func bool(_ key: String) throws(EndpointError) -> Bool? {
        guard let s = try value(key) else { return nil }
        switch s.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw EndpointError(field: key, "not a boolean: \"\(s)\"")
        }
    }

    /// Rejects keywords nobody asked for and extra positional arguments.
    func checkAllUsed(maxPositional: Int) throws(EndpointError) {
        for k in keywords.keys.sorted() where !used.contains(k) {
            throw EndpointError(field: k, "unknown parameter for \(type) endpoints")
        }
        if positional.count > maxPositional {
            throw EndpointError(field: positional[maxPositional], "unexpected positional argument for \(type) endpoints")
        }
    }
}
