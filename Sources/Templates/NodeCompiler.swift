/// Compiles a template (and, inline, everything it extends or includes) into one ``Program``.
///
/// Follows Tornado's code generation: the program is the root-most ancestor's body; each `{% block %}`
/// renders the most-derived definition under that definition's file (its autoescape, its line numbers, with a
/// "via" hop); each `{% include %}` inlines the included file's body, sharing the caller's variables.
final class NodeCompiler {
    private let slots = SlotTable()
    private let loader: Loader?
    private var namedBlocks: [String: (body: [TemplateNode], file: ParsedFile)] = [:]
    private var current: ParsedFile
    /// Include/block hops, outermost first.
    private var via: [(file: String, line: Int)] = []
    private var depth = 0
    private var textSize = 0
    /// Names of every template the program was built from (for reload checks).
    private(set) var dependencies: Set<String> = []

    private static let maxDepth = 64

    private init(root: ParsedFile, loader: Loader?) {
        self.current = root
        self.loader = loader
    }

    private var expressions: ExpressionCompiler { ExpressionCompiler(slots: slots) }

    /// Compiles `ancestors` (the template first, then what it extends, outward). Returns the program and the
    /// names of the templates it depends on.
    static func compile(ancestors: [ParsedFile], loader: Loader?, namespace: [String: TemplateValue]) throws -> (Program, Set<String>) {
        let root = ancestors[ancestors.count - 1]
        let c = NodeCompiler(root: root, loader: loader)
        for file in ancestors.reversed() {
            try c.collectBlocks(file.nodes, file: file)
        }
        c.current = root
        let run = try c.compileBody(root.nodes)
        let initial: [TemplateValue?] = c.slots.names.map { name in
            if let v = namespace[name] { return v }
            if let f = Builtins.functions[name] { return .function(f) }
            return nil
        }
        return (Program(run: run, slotNames: c.slots.names, initialSlots: initial, textSize: c.textSize), c.dependencies)
    }

    // MARK: - Helpers

    private func location(_ line: Int) -> SourceLocation {
        SourceLocation(file: current.name, line: line, via: via.reversed())
    }

    private func parseError(_ message: String, line: Int) -> TemplateError {
        TemplateError(kind: .parseError, message: message, filename: current.name, line: line, via: via.reversed())
    }

    /// Loads `path` relative to the current file through the loader, recording the dependency.
    private func load(_ path: String, directive: String, line: Int) throws -> Template {
        guard let loader else { throw parseError("{% \(directive) %} block found, but no template loader", line: line) }
        let template: Template
        do {
            template = try loader.load(path, relativeTo: current.name)
        } catch {
            throw location(line).locate(error)
        }
        dependencies.insert(template.name)
        dependencies.formUnion(template.dependencies)
        return template
    }

    /// Runs `body` with `file` as the current file, one hop deeper.
    private func entering<T>(_ file: ParsedFile, line: Int, _ body: () throws -> T) throws -> T {
        if depth >= Self.maxDepth {
            throw parseError("template nesting deeper than \(Self.maxDepth) (recursive include or block?)", line: line)
        }
        let saved = current
        via.append((current.name, line))
        current = file
        depth += 1
        defer {
            current = saved
            via.removeLast()
            depth -= 1
        }
        return try body()
    }

    /// Registers every `{% block %}` under `nodes`, later definitions replacing earlier ones.
    private func collectBlocks(_ nodes: [TemplateNode], file: ParsedFile) throws {
        for node in nodes {
            switch node {
            case .namedBlock(let name, let body, _):
                namedBlocks[name] = (body, file)
                try collectBlocks(body, file: file)
            case .include(let path, let line):
                let saved = current
                current = file
                defer { current = saved }
                let included = try load(path, directive: "include", line: line)
                try entering(included.file, line: line) { try collectBlocks(included.file.nodes, file: included.file) }
            case .ifChain(let clauses, let otherwise, _):
                for c in clauses { try collectBlocks(c.body, file: file) }
                try collectBlocks(otherwise ?? [], file: file)
            case .forLoop(_, _, let body, let otherwise, _), .whileLoop(_, let body, let otherwise, _):
                try collectBlocks(body, file: file)
                try collectBlocks(otherwise ?? [], file: file)
            case .tryBlock(let body, let handlers, let otherwise, let finally, _):
                try collectBlocks(body, file: file)
                for h in handlers { try collectBlocks(h.body, file: file) }
                try collectBlocks(otherwise ?? [], file: file)
                try collectBlocks(finally ?? [], file: file)
            case .apply(_, let body, _):
                try collectBlocks(body, file: file)
            default:
                break
            }
        }
    }

    // MARK: - Statements

    private static let noop: Executor = { _ in .normal }

    /// One executor running `execs` in order, stopping at a break/continue.
    private static func sequence(_ execs: [ExecutorBox]) -> Executor {
        switch execs.count {
        case 0: return noop
        case 1: return execs[0].run
        case 2:
            let a = execs[0].run
            let b = execs[1].run
            return { f in
                let r = try a(f)
                if r != .normal { return r }
                return try b(f)
            }
        case 3:
            let a = execs[0].run
            let b = execs[1].run
            let c = execs[2].run
            return { f in
                var r = try a(f)
                if r != .normal { return r }
                r = try b(f)
                if r != .normal { return r }
                return try c(f)
            }
        default:
            // A balanced tree of direct closure calls: no array of closures is walked at run time.
            let mid = execs.count / 2
            let a = sequence(Array(execs[..<mid]))
            let b = sequence(Array(execs[mid...]))
            return { f in
                let r = try a(f)
                if r != .normal { return r }
                return try b(f)
            }
        }
    }

    /// The body, or a no-op for a missing one.
    private func compileOptional(_ nodes: [TemplateNode]?) throws -> Executor {
        guard let nodes else { return Self.noop }
        return try compileBody(nodes)
    }

    /// A condition as a Bool-returning closure, reading variables and fields straight from the frame.
    private func compileCondition(_ e: Expression, _ loc: SourceLocation) -> @Sendable (RenderFrame) throws -> Bool {
        if let field = SlotField(e, slots: slots) {
            return { f in
                do { return try field.read(f).isTruthy } catch { throw loc.locate(error) }
            }
        }
        if case .not(let inner) = e {
            let c = compileCondition(inner, loc)
            return { f in try !c(f) }
        }
        let value = expressions.compile(e)
        return { f in
            do { return try value(f).isTruthy } catch { throw loc.locate(error) }
        }
    }

    private func compileBody(_ nodes: [TemplateNode]) throws -> Executor {
        var execs: [ExecutorBox] = []
        var text: [UInt8] = []
        func flushText() {
            guard !text.isEmpty else { return }
            let chunk = StaticText(text)
            textSize += chunk.count
            execs.append(ExecutorBox { f in
                chunk.append(to: &f.out.pointee)
                return .normal
            })
            text = []
        }
        for node in nodes {
            if case .text(let s, _) = node {
                text.append(contentsOf: s.utf8)
                continue
            }
            flushText()
            if let e = try compileNode(node) { execs.append(ExecutorBox(run: e)) }
        }
        flushText()
        return Self.sequence(execs)
    }

    private func compileNode(_ node: TemplateNode) throws -> Executor? {
        switch node {
        case .text:
            return nil  // handled by compileBody
        case .output(let expr, let line, let raw):
            return compileOutput(expr, line: line, escape: raw ? .none : current.autoescape)
        case .ifChain(let clauses, let otherwise, _):
            // Chain the arms from the last: each one falls through to the next, the last to `else`.
            var next = try compileOptional(otherwise)
            for clause in clauses.reversed() {
                let cond = compileCondition(clause.condition, location(clause.line))
                let body = try compileBody(clause.body)
                let rest = next
                next = { f in try cond(f) ? try body(f) : try rest(f) }
            }
            return next
        case .forLoop(let targets, let iterable, let body, let otherwise, let line):
            let loc = location(line)
            let iter = expressions.compile(iterable)
            let assign = Assignment.assigner(slots: targets.map(slots.slot))
            let bodyExec = try compileBody(body)
            let elseExec = try compileOptional(otherwise)
            return { f in
                let items: [TemplateValue]
                do { items = try Operations.iterate(try iter(f)) } catch { throw loc.locate(error) }
                for item in items {
                    do { try assign(f, item) } catch { throw loc.locate(error) }
                    if try bodyExec(f) == .breakLoop { return .normal }
                }
                return try elseExec(f)
            }
        case .whileLoop(let condition, let body, let otherwise, let line):
            let cond = compileCondition(condition, location(line))
            let bodyExec = try compileBody(body)
            let elseExec = try compileOptional(otherwise)
            return { f in
                while try cond(f) {
                    if try bodyExec(f) == .breakLoop { return .normal }
                }
                return try elseExec(f)
            }
        case .tryBlock(let body, let handlers, let otherwise, let finally, let line):
            return try compileTry(body: body, handlers: handlers, otherwise: otherwise, finally: finally, line: line)
        case .set(let targets, let op, let value, let line):
            let loc = location(line)
            let val = expressions.compile(value)
            let targetSlots = targets.map(slots.slot)
            if let op {
                let i = targetSlots[0]
                let name = targets[0]
                return { f in
                    do {
                        guard let old = f.slots[i] else { throw nameError(name) }
                        f.slots[i] = try Operations.binary(op, old, try val(f))
                    } catch { throw loc.locate(error) }
                    return .normal
                }
            }
            let assign = Assignment.assigner(slots: targetSlots)
            return { f in
                do { try assign(f, try val(f)) } catch { throw loc.locate(error) }
                return .normal
            }
        case .breakLoop:
            return { _ in .breakLoop }
        case .continueLoop:
            return { _ in .continueLoop }
        case .apply(let function, let body, let line):
            let loc = location(line)
            let fn = expressions.compile(function)
            let bodyExec = try compileBody(body)
            return { f in
                var inner: [UInt8] = []
                swap(&inner, &f.out.pointee)
                do {
                    _ = try bodyExec(f)
                } catch {
                    swap(&inner, &f.out.pointee)
                    throw error
                }
                swap(&inner, &f.out.pointee)
                do {
                    let result = try Operations.call(try fn(f), TemplateArguments([.string(String(decoding: inner, as: UTF8.self))]))
                    result.appendPythonString(to: &f.out.pointee)
                } catch { throw loc.locate(error) }
                return .normal
            }
        case .namedBlock(let name, let body, let line):
            let block = namedBlocks[name] ?? (body, current)
            return try entering(block.file, line: line) { try compileBody(block.body) }
        case .extends:
            return nil  // resolved before compiling: only the root-most ancestor's body is generated
        case .include(let path, let line):
            let included = try load(path, directive: "include", line: line)
            return try entering(included.file, line: line) { try compileBody(included.file.nodes) }
        }
    }

    // MARK: - Output

    private func compileOutput(_ expr: Expression, line: Int, escape: Autoescape) -> Executor {
        let loc = location(line)
        switch escape {
        case .none:
            let value = expressions.compile(expr)
            return { f in
                do { try value(f).appendPythonString(to: &f.out.pointee) } catch { throw loc.locate(error) }
                return .normal
            }
        case .function("xhtml_escape"), .function("escape"):
            if let field = SlotField(expr, slots: slots) {
                return { f in
                    let v: TemplateValue
                    do { v = try field.read(f) } catch { throw loc.locate(error) }
                    appendEscapedString(of: v, to: &f.out.pointee)
                    return .normal
                }
            }
            let value = expressions.compile(expr)
            return { f in
                let v: TemplateValue
                do { v = try value(f) } catch { throw loc.locate(error) }
                appendEscapedString(of: v, to: &f.out.pointee)
                return .normal
            }
        case .function(let name):
            let value = expressions.compile(expr)
            let fnSlot = slots.slot(name)
            return { f in
                do {
                    let v = try value(f)
                    guard let fn = f.slots[fnSlot] else { throw nameError(name) }
                    let escaped = try Operations.call(fn, TemplateArguments([.string(v.pythonString)]))
                    escaped.appendPythonString(to: &f.out.pointee)
                } catch { throw loc.locate(error) }
                return .normal
            }
        }
    }

    // MARK: - try/except

    private func compileTry(body: [TemplateNode], handlers: [ExceptClause], otherwise: [TemplateNode]?,
                            finally: [TemplateNode]?, line: Int) throws -> Executor {
        let loc = location(line)
        let bodyExec = try compileBody(body)
        let compiledHandlers = try handlers.map { h in
            (kinds: h.kinds, binding: h.binding.map(slots.slot), body: ExecutorBox(run: try compileBody(h.body)))
        }
        let elseExec = try otherwise.map { ExecutorBox(run: try compileBody($0)) }
        let finallyExec = try finally.map { ExecutorBox(run: try compileBody($0)) }
        return { f in
            var flow: Flow
            do {
                var handled = false
                do {
                    flow = try bodyExec(f)
                } catch {
                    let e = loc.locate(error)
                    guard let h = compiledHandlers.first(where: { Self.matches($0.kinds, e) }) else { throw e }
                    if let slot = h.binding { f.slots[slot] = .string(e.message) }
                    flow = try h.body.run(f)
                    handled = true
                }
                if !handled && flow == .normal, let elseExec {
                    flow = try elseExec.run(f)
                }
            } catch {
                if let finallyExec { _ = try finallyExec.run(f) }
                throw error
            }
            if let finallyExec {
                let r = try finallyExec.run(f)
                if r != .normal { return r }
            }
            return flow
        }
    }

    /// Whether an `except` clause naming `kinds` catches `error` (no kinds, `Exception` or `BaseException`
    /// catch everything; `ArithmeticError` and `LookupError` catch their Python subclasses).
    static func matches(_ kinds: [String], _ error: TemplateError) -> Bool {
        if kinds.isEmpty { return true }
        for k in kinds {
            switch k {
            case "Exception", "BaseException": return true
            case "ArithmeticError" where error.kind == .zeroDivisionError || error.kind == .overflowError: return true
            case "LookupError" where error.kind == .keyError || error.kind == .indexError: return true
            default: if k == error.kind.rawValue { return true }
            }
        }
        return false
    }
}

/// Appends `str(value)` HTML-escaped: the `{{ expr }}` hot path. Strings and integers are written without
/// building an intermediate string.
@inline(__always)
func appendEscapedString(of value: TemplateValue, to out: inout [UInt8]) {
    switch value {
    case .string(let s): appendXHTMLEscaped(s, to: &out)
    case .int(let i): appendInt(i, to: &out)
    case .double(let d): appendPythonFloat(d, to: &out)  // digits, '.', '-', 'e', "inf", "nan": nothing to escape
    default:
        var tmp: [UInt8] = []
        value.appendPythonString(to: &tmp)
        tmp.withUnsafeBufferPointer { appendXHTMLEscaped(bytes: $0, to: &out) }
    }
}
