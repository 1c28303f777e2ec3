import Foundation

/// Python semantics of the operators on ``TemplateValue``s. Every function throws a ``TemplateError`` without a
/// location (the compiled node adds file and line).
enum Operations {
    static func typeError(_ message: String) -> TemplateError { TemplateError(kind: .typeError, message: message) }

    // MARK: Arithmetic

    static func binary(_ op: BinaryOperator, _ a: TemplateValue, _ b: TemplateValue) throws -> TemplateValue {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intOp(op, x, y)
        case (.string(let x), .string(let y)) where op == .add: return .string(x + y)
        case (.array(let x), .array(let y)) where op == .add: return .array(x + y)
        case (.string(let x), .int(let n)) where op == .multiply: return .string(n > 0 ? String(repeating: x, count: n) : "")
        case (.int(let n), .string(let x)) where op == .multiply: return .string(n > 0 ? String(repeating: x, count: n) : "")
        case (.array(let x), .int(let n)) where op == .multiply:
            return .array(n > 0 ? Array([[TemplateValue]](repeating: x, count: n).joined()) : [])
        case (.string(let format), _) where op == .modulo: return .string(try percentFormat(format, b))
        default:
            if let x = a.numericForComparison, let y = b.numericForComparison {
                if case .int(let i) = x, case .int(let j) = y { return try intOp(op, i, j) }
                return try doubleOp(op, x.doubleValue!, y.doubleValue!)
            }
            throw typeError("unsupported operand type(s) for \(op.rawValue): '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    static func intOp(_ op: BinaryOperator, _ x: Int, _ y: Int) throws -> TemplateValue {
        func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> TemplateValue {
            if r.overflow { throw TemplateError(kind: .overflowError, message: "integer overflow") }
            return .int(r.partialValue)
        }
        switch op {
        case .add: return try checked(x.addingReportingOverflow(y))
        case .subtract: return try checked(x.subtractingReportingOverflow(y))
        case .multiply: return try checked(x.multipliedReportingOverflow(by: y))
        case .divide:
            if y == 0 { throw TemplateError(kind: .zeroDivisionError, message: "division by zero") }
            return .double(Double(x) / Double(y))
        case .floorDivide:
            if y == 0 { throw TemplateError(kind: .zeroDivisionError, message: "integer division or modulo by zero") }
            let (q, r) = x.quotientAndRemainder(dividingBy: y)
            return .int((r != 0 && ((r < 0) != (y < 0))) ? q - 1 : q)
        case .modulo:
            if y == 0 { throw TemplateError(kind: .zeroDivisionError, message: "integer division or modulo by zero") }
            let r = x % y
            return .int((r != 0 && ((r < 0) != (y < 0))) ? r + y : r)
        case .power:
            if y < 0 { return .double(pow(Double(x), Double(y))) }
            var result = 1
            var base = x
            var e = y
            while e > 0 {
                if e & 1 == 1 {
                    let r = result.multipliedReportingOverflow(by: base)
                    if r.overflow { throw TemplateError(kind: .overflowError, message: "integer overflow") }
                    result = r.partialValue
                }
                e >>= 1
                if e > 0 {
                    let r = base.multipliedReportingOverflow(by: base)
                    if r.overflow { throw TemplateError(kind: .overflowError, message: "integer overflow") }
                    base = r.partialValue
                }
            }
            return .int(result)
        }
    }

    static func doubleOp(_ op: BinaryOperator, _ x: Double, _ y: Double) throws -> TemplateValue {
        switch op {
        case .add: return .double(x + y)
        case .subtract: return .double(x - y)
        case .multiply: return .double(x * y)
        case .divide:
            if y == 0 { throw TemplateError(kind: .zeroDivisionError, message: "float division by zero") }
            return .double(x / y)
        case .floorDivide:
            if y == 0 { throw TemplateError(kind: .zeroDivisionError, message: "float floor division by zero") }
            return .double((x / y).rounded(.down))
        case .modulo:
            if y == 0 { throw TemplateError(kind: .zeroDivisionError, message: "float modulo") }
            let r = x.truncatingRemainder(dividingBy: y)
            return .double((r != 0 && ((r < 0) != (y < 0))) ? r + y : r)
        case .power: return .double(pow(x, y))
        }
    }

    static func negate(_ v: TemplateValue) throws -> TemplateValue {
        switch v {
        case .int(let i):
            if i == .min { throw TemplateError(kind: .overflowError, message: "integer overflow") }
            return .int(-i)
        case .double(let d): return .double(-d)
        case .bool(let b): return .int(b ? -1 : 0)
        default: throw typeError("bad operand type for unary -: '\(v.typeName)'")
        }
    }

    /// Python `%` formatting, subset: `%s %r %d %i %f %x %%` with an optional precision (`%.2f`).
    static func percentFormat(_ format: String, _ argument: TemplateValue) throws -> String {
        var args: [TemplateValue]
        if case .array(let a) = argument { args = a } else { args = [argument] }
        var out = ""
        var it = format.unicodeScalars.makeIterator()
        var used = 0
        func next() throws -> TemplateValue {
            guard used < args.count else { throw typeError("not enough arguments for format string") }
            used += 1
            return args[used - 1]
        }
        while let c = it.next() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var precision: Int? = nil
            var spec = it.next()
            if spec == "." {
                var digits = ""
                spec = it.next()
                while let s = spec, s.properties.numericType != nil, s.isASCII { digits.unicodeScalars.append(s); spec = it.next() }
                precision = Int(digits) ?? 0
            }
            switch spec {
            case "%": out += "%"
            case "s": out += try next().pythonString
            case "r": out += try next().pythonRepr
            case "d", "i":
                let v = try next()
                guard let d = v.doubleValue else { throw typeError("%d format: a number is required, not \(v.typeName)") }
                out += String(v.intValue ?? Int(d.rounded(.towardZero)))
            case "f":
                let v = try next()
                guard let d = v.doubleValue else { throw typeError("must be real number, not \(v.typeName)") }
                out += String(format: "%.\(precision ?? 6)f", d)
            case "x":
                let v = try next()
                guard let i = v.intValue else { throw typeError("%x format: an integer is required, not \(v.typeName)") }
                out += String(i, radix: 16)
            default:
                throw TemplateError(kind: .valueError, message: "unsupported format character in '\(format)'")
            }
        }
        if used < args.count { throw typeError("not all arguments converted during string formatting") }
        return out
    }

    // MARK: Comparison

    static func compare(_ op: CompareOperator, _ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return try lessThan(a, b, op)
        case .lessEqual: return try !lessThan(b, a, op)
        case .greater: return try lessThan(b, a, op)
        case .greaterEqual: return try !lessThan(a, b, op)
        case .isIn: return try contains(b, a)
        case .notIn: return try !contains(b, a)
        case .isSame: return identical(a, b)
        case .isNot: return !identical(a, b)
        }
    }

    static func identical(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.object, .object): return a == b
        default: return false
        }
    }

    static func lessThan(_ a: TemplateValue, _ b: TemplateValue, _ op: CompareOperator = .less) throws -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.string(let x), .string(let y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        case (.array(let x), .array(let y)):
            for (l, r) in zip(x, y) where l != r { return try lessThan(l, r, op) }
            return x.count < y.count
        default:
            if let x = a.doubleValue, let y = b.doubleValue, !(a.isString || b.isString) { return x < y }
            throw typeError("'\(op.rawValue)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    static func contains(_ container: TemplateValue, _ item: TemplateValue) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let sub) = item else {
                throw typeError("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return sub.isEmpty || s.contains(sub)
        case .array(let a): return a.contains(item)
        case .dictionary(let d):
            guard case .string(let k) = item else { return false }
            return d[k] != nil
        default: throw typeError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    // MARK: Access

    static func member(_ base: TemplateValue, _ name: String) throws -> TemplateValue {
        switch base {
        case .dictionary(let d):
            if let v = d[name] { return v }
        case .object(let o):
            if let v = o.templateField(named: name) { return v }
        default: break
        }
        if Methods.has(base, name) {
            return .function(TemplateFunction(builtin: name) { args in try Methods.call(base, name, args) })
        }
        throw TemplateError(kind: .attributeError, message: "'\(base.typeName)' object has no attribute '\(name)'")
    }

    static func normalizedIndex(_ i: Int, count: Int, what: String) throws -> Int {
        let j = i < 0 ? i + count : i
        guard j >= 0 && j < count else { throw TemplateError(kind: .indexError, message: "\(what) index out of range") }
        return j
    }

    static func index(_ base: TemplateValue, _ key: TemplateValue) throws -> TemplateValue {
        switch base {
        case .array(let a):
            guard let i = key.intValue else { throw typeError("list indices must be integers, not \(key.typeName)") }
            return a[try normalizedIndex(i, count: a.count, what: "list")]
        case .dictionary(let d):
            guard case .string(let k) = key else { throw TemplateError(kind: .keyError, message: key.pythonRepr) }
            guard let v = d[k] else { throw TemplateError(kind: .keyError, message: key.pythonRepr) }
            return v
        case .string(let s):
            guard let i = key.intValue else { throw typeError("string indices must be integers, not \(key.typeName)") }
            let scalars = Array(s.unicodeScalars)
            return .string(String(scalars[try normalizedIndex(i, count: scalars.count, what: "string")]))
        case .object(let o):
            if case .string(let k) = key, let v = o.templateField(named: k) { return v }
            throw TemplateError(kind: .keyError, message: key.pythonRepr)
        default:
            throw typeError("'\(base.typeName)' object is not subscriptable")
        }
    }

    /// Python slice indices for a sequence of `count` elements.
    static func sliceIndices(_ start: TemplateValue?, _ stop: TemplateValue?, _ step: TemplateValue?, count: Int) throws -> [Int] {
        func int(_ v: TemplateValue?) throws -> Int? {
            guard let v, !v.isNull else { return nil }
            guard let i = v.intValue else { throw typeError("slice indices must be integers or None") }
            return i
        }
        let st = try int(step) ?? 1
        if st == 0 { throw TemplateError(kind: .valueError, message: "slice step cannot be zero") }
        func clamp(_ i: Int?, _ dflt: Int, low: Int, high: Int) -> Int {
            guard var i else { return dflt }
            if i < 0 { i += count }
            return min(max(i, low), high)
        }
        if st > 0 {
            let a = clamp(try int(start), 0, low: 0, high: count)
            let b = clamp(try int(stop), count, low: 0, high: count)
            return a < b ? Array(stride(from: a, to: b, by: st)) : []
        } else {
            let a = clamp(try int(start), count - 1, low: -1, high: count - 1)
            let b = clamp(try int(stop), -1, low: -1, high: count - 1)
            return a > b ? Array(stride(from: a, to: b, by: st)) : []
        }
    }

    static func slice(_ base: TemplateValue, _ start: TemplateValue?, _ stop: TemplateValue?, _ step: TemplateValue?) throws -> TemplateValue {
        switch base {
        case .array(let a):
            return .array(try sliceIndices(start, stop, step, count: a.count).map { a[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try sliceIndices(start, stop, step, count: scalars.count) { out.append(scalars[i]) }
            return .string(String(out))
        default:
            throw typeError("'\(base.typeName)' object is not subscriptable")
        }
    }

    /// The elements a `for` loop visits: arrays as they are, dictionary keys (in order), a string's characters.
    static func iterate(_ v: TemplateValue) throws -> [TemplateValue] {
        switch v {
        case .array(let a): return a
        case .dictionary(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        default: throw typeError("'\(v.typeName)' object is not iterable")
        }
    }

    /// Calls a function value.
    static func call(_ callee: TemplateValue, _ args: TemplateArguments) throws -> TemplateValue {
        guard case .function(let f) = callee else { throw typeError("'\(callee.typeName)' object is not callable") }
        return try f.call(args)
    }
}

extension TemplateValue {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
