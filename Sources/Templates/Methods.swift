/// Methods on built-in values, called as `value.method(args)`: Python's string, list and dict methods that
/// templates commonly use.
///
/// Strings: `upper lower strip lstrip rstrip join replace startswith endswith split title capitalize find count
/// format`. Lists: `index count`. Dictionaries: `items keys values get`. A dictionary key or object field of the
/// same name wins over the method.
enum Methods {
    static let stringMethods: Set<String> = [
        "upper", "lower", "strip", "lstrip", "rstrip", "join", "replace", "startswith", "endswith", "split",
        "title", "capitalize", "find", "count",
    ]
    static let listMethods: Set<String> = ["index", "count"]
    static let dictMethods: Set<String> = ["items", "keys", "values", "get"]

    static func has(_ receiver: TemplateValue, _ name: String) -> Bool {
        switch receiver {
        case .string: return stringMethods.contains(name)
        case .array: return listMethods.contains(name)
        case .dictionary: return dictMethods.contains(name)
        default: return false
        }
    }

    static func noMethod(_ receiver: TemplateValue, _ name: String) -> TemplateError {
        TemplateError(kind: .attributeError, message: "'\(receiver.typeName)' object has no attribute '\(name)'")
    }

    /// Calls `receiver.name(args)`: a field holding a function first, then a built-in method.
    static func callMember(_ receiver: TemplateValue, _ name: String, _ args: TemplateArguments) throws -> TemplateValue {
        switch receiver {
        case .dictionary(let d):
            if let v = d[name] { return try Operations.call(v, args) }
        case .object(let o):
            if let v = o.templateField(named: name) { return try Operations.call(v, args) }
            throw noMethod(receiver, name)
        default: break
        }
        return try call(receiver, name, args)
    }

    static func call(_ receiver: TemplateValue, _ name: String, _ args: TemplateArguments) throws -> TemplateValue {
        switch receiver {
        case .string(let s): return try stringMethod(s, name, args)
        case .array(let a):
            switch name {
            case "index":
                try args.expect(name, count: 1)
                guard let i = a.firstIndex(of: args.positional[0]) else {
                    throw TemplateError(kind: .valueError, message: "\(args.positional[0].pythonRepr) is not in list")
                }
                return .int(i)
            case "count":
                try args.expect(name, count: 1)
                return .int(a.reduce(0) { $0 + ($1 == args.positional[0] ? 1 : 0) })
            default: throw noMethod(receiver, name)
            }
        case .dictionary(let d):
            switch name {
            case "items":
                try args.expect(name, count: 0)
                return .array(d.map { .array([.string($0.key), $0.value]) })
            case "keys":
                try args.expect(name, count: 0)
                return .array(d.keys.map { .string($0) })
            case "values":
                try args.expect(name, count: 0)
                return .array(d.values)
            case "get":
                try args.expect(name, min: 1, max: 2)
                guard case .string(let k) = args.positional[0] else { return args.value(1, "default") ?? .null }
                return d[k] ?? args.value(1, "default") ?? .null
            default: throw noMethod(receiver, name)
            }
        default:
            throw noMethod(receiver, name)
        }
    }

    static func string(_ v: TemplateValue?, _ function: String) throws -> String {
        guard case .string(let s)? = v else {
            throw TemplateError(kind: .typeError, message: "\(function)() argument must be str, not \(v?.typeName ?? "nothing")")
        }
        return s
    }

    static func stringMethod(_ s: String, _ name: String, _ args: TemplateArguments) throws -> TemplateValue {
        switch name {
        case "upper": try args.expect(name, count: 0); return .string(s.uppercased())
        case "lower": try args.expect(name, count: 0); return .string(s.lowercased())
        case "title": try args.expect(name, count: 0); return .string(s.capitalized(everyWord: true))
        case "capitalize": try args.expect(name, count: 0); return .string(s.capitalized(everyWord: false))
        case "strip", "lstrip", "rstrip":
            try args.expect(name, min: 0, max: 1)
            let chars: Set<Unicode.Scalar>?
            if let c = args.value(0, "chars"), !c.isNull { chars = Set(try string(c, name).unicodeScalars) } else { chars = nil }
            let strip: (Unicode.Scalar) -> Bool = { chars?.contains($0) ?? isPythonSpace($0) }
            var scalars = Substring(s).unicodeScalars[...]
            if name != "rstrip" { while let f = scalars.first, strip(f) { scalars = scalars.dropFirst() } }
            if name != "lstrip" { while let l = scalars.last, strip(l) { scalars = scalars.dropLast() } }
            return .string(String(String.UnicodeScalarView(scalars)))
        case "join":
            try args.expect(name, count: 1)
            let items = try Operations.iterate(args.positional[0])
            return .string(try items.map { item -> String in
                guard case .string(let t) = item else {
                    throw TemplateError(kind: .typeError, message: "sequence item: expected str instance, \(item.typeName) found")
                }
                return t
            }.joined(separator: s))
        case "replace":
            try args.expect(name, count: 2)
            let old = try string(args.positional[0], name)
            let new = try string(args.positional[1], name)
            if old.isEmpty { return .string(s) }
            return .string(s.replacingAll(old, with: new))
        case "startswith", "endswith":
            try args.expect(name, count: 1)
            let candidates: [TemplateValue]
            if case .array(let a) = args.positional[0] { candidates = a } else { candidates = [args.positional[0]] }
            for c in candidates {
                let p = try string(c, name)
                let scalars = Array(s.unicodeScalars)
                let ps = Array(p.unicodeScalars)
                if ps.count <= scalars.count
                    && (name == "startswith" ? Array(scalars.prefix(ps.count)) == ps : Array(scalars.suffix(ps.count)) == ps)
                {
                    return .bool(true)
                }
            }
            return .bool(false)
        case "split":
            try args.expect(name, min: 0, max: 2)
            let maxSplit = args.value(1, "maxsplit")?.intValue ?? -1
            if let sepValue = args.value(0, "sep"), !sepValue.isNull {
                let sep = try string(sepValue, name)
                if sep.isEmpty { throw TemplateError(kind: .valueError, message: "empty separator") }
                var parts: [TemplateValue] = []
                var rest = Substring(s)
                while maxSplit < 0 || parts.count < maxSplit, let r = rest.range(of: sep) {
                    parts.append(.string(String(rest[..<r.lowerBound])))
                    rest = rest[r.upperBound...]
                }
                parts.append(.string(String(rest)))
                return .array(parts)
            }
            var parts: [TemplateValue] = []
            var current = String.UnicodeScalarView()
            var scalars = s.unicodeScalars[...]
            while let c = scalars.first {
                scalars = scalars.dropFirst()
                if isPythonSpace(c) {
                    if !current.isEmpty {
                        parts.append(.string(String(current)))
                        current = String.UnicodeScalarView()
                        if maxSplit >= 0 && parts.count >= maxSplit {
                            while let f = scalars.first, isPythonSpace(f) { scalars = scalars.dropFirst() }
                            if !scalars.isEmpty { parts.append(.string(String(String.UnicodeScalarView(scalars)))) }
                            return .array(parts)
                        }
                    }
                } else {
                    current.append(c)
                }
            }
            if !current.isEmpty { parts.append(.string(String(current))) }
            return .array(parts)
        case "find":
            try args.expect(name, count: 1)
            let sub = try string(args.positional[0], name)
            guard let r = s.range(of: sub) else { return .int(-1) }
            return .int(s.unicodeScalars.distance(from: s.startIndex, to: r.lowerBound))
        case "count":
            try args.expect(name, count: 1)
            let sub = try string(args.positional[0], name)
            if sub.isEmpty { return .int(s.unicodeScalars.count + 1) }
            var n = 0
            var rest = Substring(s)
            while let r = rest.range(of: sub) {
                n += 1
                rest = rest[r.upperBound...]
            }
            return .int(n)
        default:
            throw noMethod(.string(s), name)
        }
    }
}

extension Substring {
    /// Unicode-scalar-wise substring search (no Foundation, no normalization), as Python's `str.find`.
    func range(of needle: String) -> Range<Substring.Index>? {
        let n = Array(needle.unicodeScalars)
        guard !n.isEmpty else { return startIndex..<startIndex }
        var i = unicodeScalars.startIndex
        while i != unicodeScalars.endIndex {
            var j = i
            var k = 0
            while k < n.count, j != unicodeScalars.endIndex, unicodeScalars[j] == n[k] {
                j = unicodeScalars.index(after: j)
                k += 1
            }
            if k == n.count { return i..<j }
            i = unicodeScalars.index(after: i)
        }
        return nil
    }
}

extension String {
    func range(of needle: String) -> Range<String.Index>? {
        Substring(self).range(of: needle)
    }

    func contains(_ needle: String) -> Bool {
        range(of: needle) != nil
    }

    func replacingAll(_ old: String, with new: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: old) {
            out += rest[..<r.lowerBound]
            out += new
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }

    /// Python's `title()` (every word) or `capitalize()` (first letter only, rest lowercased).
    func capitalized(everyWord: Bool) -> String {
        var out = ""
        var atStart = true
        for ch in self {
            if atStart && ch.isLetter {
                out += ch.uppercased()
                atStart = false
            } else {
                out += ch.lowercased()
                if everyWord && !ch.isLetter { atStart = true }
            }
        }
        return out
    }
}
