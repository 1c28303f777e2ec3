/// Turns an ``Expression`` into a closure tree over frame slots. Names are resolved to slots here, constant
/// sub-expressions are folded, and the common shapes (`name`, `name.field`, `name[…]`, method calls) get
/// dedicated closures so evaluation does little more than a slot read and a dictionary lookup.
struct ExpressionCompiler {
    let slots: SlotTable

    func compile(_ e: Expression) -> Evaluator {
        if !foldingDisabled, let constant = fold(e) { return { _ in constant } }
        switch e {
        case .literal(let v):
            return { _ in v }
        case .name(let n):
            let i = slots.slot(n)
            return { f in
                if let v = f.slots[i] { return v }
                throw nameError(n)
            }
        case .member(.name(let n), let field):
            let i = slots.slot(n)
            return { f in
                guard let base = f.slots[i] else { throw nameError(n) }
                if case .dictionary(let d) = base, let v = d[field] { return v }
                return try Operations.member(base, field)
            }
        case .member(let base, let field):
            let b = compile(base)
            return { f in
                let base = try b(f)
                if case .dictionary(let d) = base, let v = d[field] { return v }
                return try Operations.member(base, field)
            }
        case .index(.name(let n), .literal(.string(let k))):
            let i = slots.slot(n)
            return { f in
                guard let base = f.slots[i] else { throw nameError(n) }
                if case .dictionary(let d) = base, let v = d[k] { return v }
                return try Operations.index(base, .string(k))
            }
        case .index(let base, let key):
            let b = compile(base)
            if case .literal(.string(let k)) = key {
                return { f in
                    let base = try b(f)
                    if case .dictionary(let d) = base, let v = d[k] { return v }
                    return try Operations.index(base, .string(k))
                }
            }
            let k = compile(key)
            return { f in try Operations.index(try b(f), try k(f)) }
        case .slice(let base, let start, let stop, let step):
            let b = compile(base)
            let s1 = start.map(compile)
            let s2 = stop.map(compile)
            let s3 = step.map(compile)
            return { f in
                try Operations.slice(try b(f), try s1?(f), try s2?(f), try s3?(f))
            }
        case .call(let callee, let args, let kwargs):
            let argEvals = args.map { EvaluatorBox(run: compile($0)) }
            let kwEvals = kwargs.map { (name: $0.0, value: EvaluatorBox(run: compile($0.1))) }
            let evaluateArguments: @Sendable (RenderFrame) throws -> TemplateArguments
            if argEvals.count == 1 && kwEvals.isEmpty {
                let only = argEvals[0].run
                evaluateArguments = { f in TemplateArguments([try only(f)]) }
            } else {
                evaluateArguments = { f in
                    var positional: [TemplateValue] = []
                    positional.reserveCapacity(argEvals.count)
                    for a in argEvals { positional.append(try a.run(f)) }
                    var named: [String: TemplateValue] = [:]
                    for kw in kwEvals { named[kw.name] = try kw.value.run(f) }
                    return TemplateArguments(positional, named: named)
                }
            }
            if case .member(let receiver, let method) = callee {
                let r = compile(receiver)
                return { f in try Methods.callMember(try r(f), method, try evaluateArguments(f)) }
            }
            let c = compile(callee)
            return { f in try Operations.call(try c(f), try evaluateArguments(f)) }
        case .negate(let x):
            let a = compile(x)
            return { f in try Operations.negate(try a(f)) }
        case .positive(let x):
            let a = compile(x)
            return { f in
                let v = try a(f)
                guard v.doubleValue != nil, !v.isString else { throw Operations.typeError("bad operand type for unary +: '\(v.typeName)'") }
                if case .bool(let b) = v { return .int(b ? 1 : 0) }
                return v
            }
        case .not(let x):
            let a = compile(x)
            return { f in .bool(!(try a(f)).isTruthy) }
        case .binary(let op, let l, let r):
            let a = compile(l)
            let b = compile(r)
            return { f in try Operations.binary(op, try a(f), try b(f)) }
        case .compare(let first, let rest):
            let a = compile(first)
            let ops = rest.map { (op: $0.0, right: EvaluatorBox(run: compile($0.1))) }
            if ops.count == 1 {
                let op = ops[0].op
                let b = ops[0].right.run
                return { f in .bool(try Operations.compare(op, try a(f), try b(f))) }
            }
            return { f in
                var left = try a(f)
                for (op, b) in ops {
                    let right = try b.run(f)
                    if !(try Operations.compare(op, left, right)) { return .bool(false) }
                    left = right
                }
                return .bool(true)
            }
        case .and(let l, let r):
            let a = compile(l)
            let b = compile(r)
            return { f in
                let v = try a(f)
                return v.isTruthy ? try b(f) : v
            }
        case .or(let l, let r):
            let a = compile(l)
            let b = compile(r)
            return { f in
                let v = try a(f)
                return v.isTruthy ? v : try b(f)
            }
        case .conditional(let c, let t, let o):
            let cond = compile(c)
            let then = compile(t)
            let otherwise = compile(o)
            return { f in try cond(f).isTruthy ? try then(f) : try otherwise(f) }
        case .list(let items):
            let evals = items.map { EvaluatorBox(run: compile($0)) }
            return { f in
                var out: [TemplateValue] = []
                out.reserveCapacity(evals.count)
                for e in evals { out.append(try e.run(f)) }
                return .array(out)
            }
        case .dictionary(let pairs):
            let evals = pairs.map { (key: EvaluatorBox(run: compile($0.0)), value: EvaluatorBox(run: compile($0.1))) }
            return { f in
                var out = TemplateDictionary()
                for (k, v) in evals {
                    let key = try k.run(f)
                    guard case .string(let s) = key else {
                        throw Operations.typeError("dictionary keys must be strings, not \(key.typeName)")
                    }
                    out[s] = try v.run(f)
                }
                return .dictionary(out)
            }
        case .comprehension(let element, let targets, let iterable, let condition):
            let it = compile(iterable)
            return slots.withHiddenSlots(for: targets) { hidden in
                let el = compile(element)
                let cond = condition.map(compile)
                let assign = Assignment.assigner(slots: hidden)
                return { f in
                    var out: [TemplateValue] = []
                    for item in try Operations.iterate(try it(f)) {
                        try assign(f, item)
                        if let cond, !(try cond(f).isTruthy) { continue }
                        out.append(try el(f))
                    }
                    return .array(out)
                }
            }
        }
    }

    /// The value of `e` if it is built only from literals and evaluates without error; nil otherwise.
    private func fold(_ e: Expression) -> TemplateValue? {
        func isConstant(_ e: Expression) -> Bool {
            switch e {
            case .literal: return true
            case .list(let items): return items.allSatisfy(isConstant)
            case .dictionary(let pairs): return pairs.allSatisfy { isConstant($0.0) && isConstant($0.1) }
            case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): return isConstant(a) && isConstant(b)
            case .negate(let a), .positive(let a), .not(let a): return isConstant(a)
            case .compare(let a, let rest): return isConstant(a) && rest.allSatisfy { isConstant($0.1) }
            case .conditional(let c, let t, let o): return isConstant(c) && isConstant(t) && isConstant(o)
            default: return false
            }
        }
        if case .literal(let v) = e { return v }
        guard isConstant(e) else { return nil }
        let evaluator = ExpressionCompiler(slots: SlotTable()).compileUnfolded(e)
        return try? evaluator(RenderFrame(slots: []))
    }

    private func compileUnfolded(_ e: Expression) -> Evaluator {
        // Children of a constant are constants too; folding them is harmless, so reuse compile.
        switch e {
        case .literal(let v): return { _ in v }
        default:
            var copy = self
            copy.foldingDisabled = true
            return copy.compile(e)
        }
    }

    private var foldingDisabled = false

    init(slots: SlotTable) {
        self.slots = slots
    }
}

@inline(never)
func nameError(_ name: String) -> TemplateError {
    TemplateError(kind: .nameError, message: "name '\(name)' is not defined")
}

/// Assigning a value to one target or unpacking it into several (`for k, v in d.items()`).
enum Assignment {
    static func assigner(slots targets: [Int]) -> @Sendable (RenderFrame, TemplateValue) throws -> Void {
        if targets.count == 1 {
            let i = targets[0]
            return { f, v in f.slots[i] = v }
        }
        let n = targets.count
        return { f, v in
            let items: [TemplateValue]
            switch v {
            case .array(let a): items = a
            case .string, .dictionary: items = try Operations.iterate(v)
            default: throw Operations.typeError("cannot unpack non-iterable \(v.typeName) object")
            }
            guard items.count == n else {
                throw TemplateError(kind: .valueError, message: items.count > n
                    ? "too many values to unpack (expected \(n))"
                    : "not enough values to unpack (expected \(n), got \(items.count))")
            }
            for (slot, item) in zip(targets, items) { f.slots[slot] = item }
        }
    }
}
