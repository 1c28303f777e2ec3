import Foundation

/// The functions every template can call without being passed them: Tornado's template namespace
/// (`escape`, `xhtml_escape`, `url_escape`, `json_encode`, `squeeze`, `linkify`) and the Python built-ins
/// templates commonly use (`len str int float bool repr range sorted reversed enumerate zip min max abs round
/// sum list`). A value the caller passes under the same name replaces the built-in.
enum Builtins {
    static let functions: [String: TemplateFunction] = {
        var table: [String: TemplateFunction] = [:]
        func add(_ name: String, _ body: @escaping @Sendable (TemplateArguments) throws -> TemplateValue) {
            table[name] = TemplateFunction(builtin: name, body)
        }
        let escape: @Sendable (TemplateArguments) throws -> TemplateValue = { args in
            try args.expect("xhtml_escape", count: 1)
            return .string(TemplateEscaping.xhtmlEscape(args.positional[0].pythonString))
        }
        add("escape", escape)
        add("xhtml_escape", escape)
        add("url_escape") { args in
            try args.expect("url_escape", min: 1, max: 2)
            let plus = args.value(1, "plus")?.isTruthy ?? true
            return .string(TemplateEscaping.urlEscape(args.positional[0].pythonString, plus: plus))
        }
        add("json_encode") { args in
            try args.expect("json_encode", count: 1)
            return .string(try TemplateEscaping.jsonEncode(args.positional[0]))
        }
        add("squeeze") { args in
            try args.expect("squeeze", count: 1)
            return .string(TemplateEscaping.squeeze(args.positional[0].pythonString))
        }
        add("linkify") { args in
            try args.expect("linkify", min: 1, max: 5)
            let extra = args.value(2, "extra_params")?.pythonString ?? ""
            let require = args.value(3, "require_protocol")?.isTruthy ?? false
            var protocols = ["http", "https"]
            if let p = args.value(4, "permitted_protocols"), case .array(let a) = p { protocols = a.map(\.pythonString) }
            return .string(TemplateEscaping.linkify(args.positional[0].pythonString, extraParams: extra,
                                                    requireProtocol: require, permittedProtocols: protocols))
        }
        add("len") { args in
            try args.expect("len", count: 1)
            switch args.positional[0] {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .array(let a): return .int(a.count)
            case .dictionary(let d): return .int(d.count)
            case let v: throw Operations.typeError("object of type '\(v.typeName)' has no len()")
            }
        }
        add("str") { args in
            try args.expect("str", min: 0, max: 1)
            return .string(args.positional.first?.pythonString ?? "")
        }
        add("repr") { args in
            try args.expect("repr", count: 1)
            return .string(args.positional[0].pythonRepr)
        }
        add("bool") { args in
            try args.expect("bool", min: 0, max: 1)
            return .bool(args.positional.first?.isTruthy ?? false)
        }
        add("int") { args in
            try args.expect("int", min: 0, max: 2)
            guard let v = args.positional.first else { return .int(0) }
            switch v {
            case .int: return v
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d):
                guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
                    throw TemplateError(kind: .overflowError, message: "cannot convert float \(pythonFloat(d)) to integer")
                }
                return .int(i)
            case .string(let s):
                let base = args.value(1, "base")?.intValue ?? 10
                if let i = Int(pythonStrip(s).replacingAll("_", with: ""), radix: base) { return .int(i) }
                throw TemplateError(kind: .valueError, message: "invalid literal for int() with base \(base): \(v.pythonRepr)")
            default: throw Operations.typeError("int() argument must be a string or a number, not '\(v.typeName)'")
            }
        }
        add("float") { args in
            try args.expect("float", min: 0, max: 1)
            guard let v = args.positional.first else { return .double(0) }
            if let d = v.doubleValue { return .double(d) }
            if case .string(let s) = v, let d = Double(pythonStrip(s)) { return .double(d) }
            throw TemplateError(kind: .valueError, message: "could not convert string to float: \(v.pythonRepr)")
        }
        add("list") { args in
            try args.expect("list", min: 0, max: 1)
            guard let v = args.positional.first else { return .array([]) }
            return .array(try Operations.iterate(v))
        }
        add("range") { args in
            try args.expect("range", min: 1, max: 3)
            let ints = try args.positional.map { v -> Int in
                guard let i = v.intValue else { throw Operations.typeError("'\(v.typeName)' object cannot be interpreted as an integer") }
                return i
            }
            let (start, stop, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
            if step == 0 { throw TemplateError(kind: .valueError, message: "range() arg 3 must not be zero") }
            if (step > 0 && start >= stop) || (step < 0 && start <= stop) { return .array([]) }
            return .array(stride(from: start, to: stop, by: step).map { .int($0) })
        }
        add("sorted") { args in
            guard args.positional.count == 1 else { throw Operations.typeError("sorted expected 1 argument, got \(args.positional.count)") }
            var items = try Operations.iterate(args.positional[0])
            let key = args.named["key"]
            if let key, !key.isNull {
                let keyed = try items.map { (try Operations.call(key, TemplateArguments([$0])), $0) }
                items = try keyed.sorted { try Operations.lessThan($0.0, $1.0) }.map(\.1)
            } else {
                try items.sort { try Operations.lessThan($0, $1) }
            }
            if args.named["reverse"]?.isTruthy ?? false { items.reverse() }
            return .array(items)
        }
        add("reversed") { args in
            try args.expect("reversed", count: 1)
            return .array(try Operations.iterate(args.positional[0]).reversed())
        }
        add("enumerate") { args in
            try args.expect("enumerate", min: 1, max: 2)
            let start = args.value(1, "start")?.intValue ?? 0
            return .array(try Operations.iterate(args.positional[0]).enumerated().map { .array([.int($0.offset + start), $0.element]) })
        }
        add("zip") { args in
            let lists = try args.positional.map(Operations.iterate)
            guard let n = lists.map(\.count).min() else { return .array([]) }
            return .array((0..<n).map { i in .array(lists.map { $0[i] }) })
        }
        let extreme: @Sendable (String, Bool) -> @Sendable (TemplateArguments) throws -> TemplateValue = { name, wantMax in
            { args in
                let items = args.positional.count == 1 ? try Operations.iterate(args.positional[0]) : args.positional
                guard var best = items.first else {
                    if let d = args.named["default"] { return d }
                    throw TemplateError(kind: .valueError, message: "\(name)() arg is an empty sequence")
                }
                for item in items.dropFirst() {
                    if wantMax ? try Operations.lessThan(best, item) : try Operations.lessThan(item, best) { best = item }
                }
                return best
            }
        }
        add("min", extreme("min", false))
        add("max", extreme("max", true))
        add("abs") { args in
            try args.expect("abs", count: 1)
            switch args.positional[0] {
            case .int(let i):
                if i == .min { throw TemplateError(kind: .overflowError, message: "integer overflow") }
                return .int(abs(i))
            case .double(let d): return .double(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            case let v: throw Operations.typeError("bad operand type for abs(): '\(v.typeName)'")
            }
        }
        add("round") { args in
            try args.expect("round", min: 1, max: 2)
            let v = args.positional[0]
            let digits = args.value(1, "ndigits")
            if case .int = v { return v }
            guard let d = v.doubleValue else { throw Operations.typeError("type \(v.typeName) doesn't define __round__ method") }
            guard let digits, let n = digits.intValue else {
                let r = d.rounded(.toNearestOrEven)
                guard let i = Int(exactly: r) else { throw TemplateError(kind: .overflowError, message: "cannot convert float to integer") }
                return .int(i)
            }
            // Round via the shortest decimal text, as Python does (round(2.675, 2) is 2.67 there too, near enough).
            let scale = pow(10.0, Double(n))
            return .double((d * scale).rounded(.toNearestOrEven) / scale)
        }
        add("sum") { args in
            try args.expect("sum", min: 1, max: 2)
            var total = args.value(1, "start") ?? .int(0)
            for item in try Operations.iterate(args.positional[0]) { total = try Operations.binary(.add, total, item) }
            return total
        }
        return table
    }()
}
