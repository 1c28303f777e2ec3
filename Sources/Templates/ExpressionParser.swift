/// Recursive-descent parser for the expression language (Python's precedence, lowest first):
/// `x if c else y` → `or` → `and` → `not` → comparisons (`== != < <= > >= in, not in, is, is not`, chained)
/// → `+ -` → `* / // %` → unary `- +` → `**` → postfix (`.name`, `[index]`, `[a:b:c]`, `(args)`) → atoms.
///
/// Errors are thrown as parse errors without a location; the template parser adds file and line.
struct ExpressionParser {
    private var tokens: [Token]
    private var pos = 0

    init(_ text: String) throws {
        tokens = try ExpressionLexer.tokenize(text)
    }

    /// Parses `text` as one expression (a bare `a, b` makes a tuple, as in Python).
    static func parse(_ text: String) throws -> Expression {
        var p = try ExpressionParser(text)
        let e = try p.parseExpressionList()
        try p.expectEnd()
        return e
    }

    /// Parses a `for` header: `targets in iterable`.
    static func parseForHeader(_ text: String) throws -> (targets: [String], iterable: Expression) {
        var p = try ExpressionParser(text)
        let targets = try p.parseTargets()
        guard p.peek == .name("in") else { throw p.error("expected 'in' in for statement") }
        p.pos += 1
        let iterable = try p.parseExpressionList()
        try p.expectEnd()
        return (targets, iterable)
    }

    /// Parses a `set` statement: `targets = value` or `name += value` (also `-=`, `*=`).
    static func parseAssignment(_ text: String) throws -> (targets: [String], op: BinaryOperator?, value: Expression) {
        var p = try ExpressionParser(text)
        let targets = try p.parseTargets()
        var op: BinaryOperator? = nil
        switch p.peek {
        case .op("="): break
        case .op("+="): op = .add
        case .op("-="): op = .subtract
        case .op("*="): op = .multiply
        default: throw p.error("expected '=' in set statement")
        }
        if op != nil && targets.count != 1 { throw p.error("illegal expression for augmented assignment") }
        p.pos += 1
        let value = try p.parseExpressionList()
        try p.expectEnd()
        return (targets, op, value)
    }

    /// Parses an `except` clause's text after the keyword: empty, `Kind`, `(A, B)` or `Kind as name`.
    static func parseExceptClause(_ text: String) throws -> (kinds: [String], binding: String?) {
        var p = try ExpressionParser(text)
        var kinds: [String] = []
        var binding: String? = nil
        if p.peek == .end { return ([], nil) }
        if p.peek == .op("(") {
            p.pos += 1
            while case .name(let n) = p.peek {
                kinds.append(n)
                p.pos += 1
                if p.peek == .op(",") { p.pos += 1 } else { break }
            }
            try p.expect(")")
        } else if case .name(let n) = p.peek {
            kinds.append(n)
            p.pos += 1
        } else {
            throw p.error("invalid except clause")
        }
        if p.peek == .name("as") {
            p.pos += 1
            guard case .name(let n) = p.peek else { throw p.error("expected a name after 'as'") }
            binding = n
            p.pos += 1
        }
        try p.expectEnd()
        return (kinds, binding)
    }

    // MARK: - Helpers

    private var peek: Token { tokens[pos] }

    private func error(_ message: String) -> TemplateError {
        TemplateError(kind: .parseError, message: message)
    }

    private mutating func expect(_ op: String) throws {
        guard peek == .op(op) else { throw error("expected '\(op)', found \(describe(peek))") }
        pos += 1
    }

    private func expectEnd() throws {
        guard peek == .end else { throw error("unexpected \(describe(peek))") }
    }

    private func describe(_ t: Token) -> String {
        switch t {
        case .name(let n): return "'\(n)'"
        case .int(let i): return "'\(i)'"
        case .double(let d): return "'\(d)'"
        case .string(let s): return "string '\(s)'"
        case .op(let o): return "'\(o)'"
        case .end: return "end of expression"
        }
    }

    private static let keywords: Set<String> = ["and", "or", "not", "in", "is", "if", "else", "for", "lambda"]

    private mutating func parseTargets() throws -> [String] {
        var names: [String] = []
        let parenthesized = peek == .op("(")
        if parenthesized { pos += 1 }
        while true {
            guard case .name(let n) = peek, !Self.keywords.contains(n) else { throw error("expected a variable name") }
            names.append(n)
            pos += 1
            if peek == .op(",") {
                pos += 1
                if parenthesized && peek == .op(")") { break }
                continue
            }
            break
        }
        if parenthesized { try expect(")") }
        return names
    }

    // MARK: - Grammar

    private mutating func parseExpressionList() throws -> Expression {
        let first = try parseExpression()
        guard peek == .op(",") else { return first }
        var items = [first]
        while peek == .op(",") {
            pos += 1
            if peek == .end || peek == .op(")") { break }
            items.append(try parseExpression())
        }
        return .list(items)
    }

    mutating func parseExpression() throws -> Expression {
        let value = try parseOr()
        if peek == .name("if") {
            pos += 1
            let condition = try parseOr()
            guard peek == .name("else") else { throw error("expected 'else' in conditional expression") }
            pos += 1
            let otherwise = try parseExpression()
            return .conditional(condition: condition, then: value, otherwise: otherwise)
        }
        return value
    }

    private mutating func parseOr() throws -> Expression {
        var left = try parseAnd()
        while peek == .name("or") {
            pos += 1
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws -> Expression {
        var left = try parseNot()
        while peek == .name("and") {
            pos += 1
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws -> Expression {
        if peek == .name("not") {
            pos += 1
            return .not(try parseNot())
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws -> Expression {
        let first = try parseArith()
        var rest: [(CompareOperator, Expression)] = []
        while true {
            var op: CompareOperator
            switch peek {
            case .op("=="): op = .equal
            case .op("!="): op = .notEqual
            case .op("<"): op = .less
            case .op("<="): op = .lessEqual
            case .op(">"): op = .greater
            case .op(">="): op = .greaterEqual
            case .name("in"): op = .isIn
            case .name("not"):
                guard tokens[pos + 1] == .name("in") else { throw error("expected 'in' after 'not'") }
                pos += 1
                op = .notIn
            case .name("is"):
                op = .isSame
                if tokens[pos + 1] == .name("not") {
                    pos += 1
                    op = .isNot
                }
            default:
                return rest.isEmpty ? first : .compare(first, rest)
            }
            pos += 1
            rest.append((op, try parseArith()))
        }
    }

    private mutating func parseArith() throws -> Expression {
        var left = try parseTerm()
        while true {
            switch peek {
            case .op("+"): pos += 1; left = .binary(.add, left, try parseTerm())
            case .op("-"): pos += 1; left = .binary(.subtract, left, try parseTerm())
            default: return left
            }
        }
    }

    private mutating func parseTerm() throws -> Expression {
        var left = try parseUnary()
        while true {
            switch peek {
            case .op("*"): pos += 1; left = .binary(.multiply, left, try parseUnary())
            case .op("/"): pos += 1; left = .binary(.divide, left, try parseUnary())
            case .op("//"): pos += 1; left = .binary(.floorDivide, left, try parseUnary())
            case .op("%"): pos += 1; left = .binary(.modulo, left, try parseUnary())
            default: return left
            }
        }
    }

    private mutating func parseUnary() throws -> Expression {
        switch peek {
        case .op("-"):
            pos += 1
            let operand = try parseUnary()
            // Fold negative literals so `-1` is a constant.
            if case .literal(.int(let i)) = operand { return .literal(.int(-i)) }
            if case .literal(.double(let d)) = operand { return .literal(.double(-d)) }
            return .negate(operand)
        case .op("+"):
            pos += 1
            return .positive(try parseUnary())
        default:
            return try parsePower()
        }
    }

    private mutating func parsePower() throws -> Expression {
        let base = try parsePostfix()
        if peek == .op("**") {
            pos += 1
            return .binary(.power, base, try parseUnary())
        }
        return base
    }

    private mutating func parsePostfix() throws -> Expression {
        var e = try parseAtom()
        while true {
            switch peek {
            case .op("."):
                pos += 1
                guard case .name(let n) = peek else { throw error("expected a name after '.'") }
                pos += 1
                e = .member(e, n)
            case .op("["):
                pos += 1
                e = try parseSubscript(e)
            case .op("("):
                pos += 1
                var args: [Expression] = []
                var kwargs: [(String, Expression)] = []
                while peek != .op(")") {
                    if case .name(let n) = peek, tokens[pos + 1] == .op("=") {
                        pos += 2
                        kwargs.append((n, try parseExpression()))
                    } else {
                        if !kwargs.isEmpty { throw error("positional argument follows keyword argument") }
                        args.append(try parseExpression())
                    }
                    if peek == .op(",") { pos += 1 } else { break }
                }
                try expect(")")
                e = .call(e, args, kwargs)
            default:
                return e
            }
        }
    }

    private mutating func parseSubscript(_ base: Expression) throws -> Expression {
        var parts: [Expression?] = [nil]
        var sawColon = false
        while peek != .op("]") {
            if peek == .op(":") {
                sawColon = true
                pos += 1
                parts.append(nil)
                if parts.count > 3 { throw error("invalid slice") }
                continue
            }
            if parts[parts.count - 1] != nil { throw error("expected ']'") }
            parts[parts.count - 1] = try parseExpressionList()
        }
        try expect("]")
        if !sawColon {
            guard let index = parts[0] else { throw error("empty subscript") }
            return .index(base, index)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(base, parts[0], parts[1], parts[2])
    }

    private mutating func parseAtom() throws -> Expression {
        let t = peek
        pos += 1
        switch t {
        case .int(let i): return .literal(.int(i))
        case .double(let d): return .literal(.double(d))
        case .string(var s):
            // Adjacent string literals concatenate, as in Python.
            while case .string(let more) = peek {
                s += more
                pos += 1
            }
            return .literal(.string(s))
        case .name(let n):
            switch n {
            case "True", "true": return .literal(.bool(true))
            case "False", "false": return .literal(.bool(false))
            case "None", "nil": return .literal(.null)
            default:
                if Self.keywords.contains(n) { throw error("unexpected '\(n)'") }
                return .name(n)
            }
        case .op("("):
            if peek == .op(")") {
                pos += 1
                return .list([])
            }
            let first = try parseExpression()
            if peek == .op(")") {
                pos += 1
                return first
            }
            var items = [first]
            while peek == .op(",") {
                pos += 1
                if peek == .op(")") { break }
                items.append(try parseExpression())
            }
            try expect(")")
            return .list(items)
        case .op("["):
            var items: [Expression] = []
            if peek == .op("]") {
                pos += 1
                return .list(items)
            }
            let first = try parseExpression()
            if peek == .name("for") {
                pos += 1
                let targets = try parseTargets()
                guard peek == .name("in") else { throw error("expected 'in' in comprehension") }
                pos += 1
                let iterable = try parseOr()
                var condition: Expression? = nil
                if peek == .name("if") {
                    pos += 1
                    condition = try parseOr()
                }
                try expect("]")
                return .comprehension(element: first, targets: targets, iterable: iterable, condition: condition)
            }
            items.append(first)
            while peek == .op(",") {
                pos += 1
                if peek == .op("]") { break }
                items.append(try parseExpression())
            }
            try expect("]")
            return .list(items)
        case .op("{"):
            var pairs: [(Expression, Expression)] = []
            while peek != .op("}") {
                let k = try parseExpression()
                try expect(":")
                pairs.append((k, try parseExpression()))
                if peek == .op(",") { pos += 1 } else { break }
            }
            try expect("}")
            return .dictionary(pairs)
        case .end:
            pos -= 1
            throw error("unexpected end of expression")
        default:
            throw error("unexpected \(describe(t))")
        }
    }
}
