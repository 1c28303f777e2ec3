/// Parses template text into ``TemplateNode``s, following Tornado's `_parse`: `{{ }}`, `{% %}`, `{# #}`,
/// the `!` escapes, innermost-brace rule for `{{{`, and intermediate blocks (`else`, `elif`, `except`, `finally`).
///
/// Directive results that are file-wide (`autoescape`) are reported through `autoescape`;
/// `whitespace` changes the mode for the text that follows.
struct TemplateParser {
    private let text: [UInt8]
    private var pos = 0
    private var line = 1
    private let name: String
    private(set) var whitespace: WhitespaceMode
    /// The last `{% autoescape %}` seen: nil if none, `.some(nil)` for `None`.
    private(set) var autoescape: String??

    init(source: String, name: String, whitespace: WhitespaceMode) {
        self.text = Array(source.utf8)
        self.name = name
        self.whitespace = whitespace
    }

    /// Parses the whole file.
    mutating func parse() throws -> [TemplateNode] {
        let (items, _) = try parseBody(inBlock: nil, openLine: 0, inLoop: false)
        return try Self.plainNodes(items)
    }

    // MARK: - Reader

    private func error(_ message: String, line: Int? = nil) -> TemplateError {
        TemplateError(kind: .parseError, message: message, filename: name, line: line ?? self.line)
    }

    /// Offset of `needle` (two ASCII bytes) at or after `from`, or nil.
    private func find(_ a: UInt8, _ b: UInt8, from: Int) -> Int? {
        var i = from
        while i + 1 < text.count {
            if text[i] == a && text[i + 1] == b { return i }
            i += 1
        }
        return nil
    }

    /// Consumes up to `end` (absolute offset) and returns the text, counting newlines.
    private mutating func consume(to end: Int) -> String {
        var i = pos
        while i < end {
            if text[i] == 0x0A { line += 1 }
            i += 1
        }
        let s = String(decoding: text[pos..<end], as: UTF8.self)
        pos = end
        return s
    }

    // MARK: - Body

    /// A parsed element: a node or an intermediate marker (`else`, `elif x`, …) splitting the current block.
    private enum Item {
        case node(TemplateNode)
        case intermediate(operator: String, suffix: String, line: Int)
    }

    private static func plainNodes(_ items: [Item]) throws -> [TemplateNode] {
        items.map { if case .node(let n) = $0 { return n } else { fatalError("intermediate outside a block") } }
    }

    private mutating func textNode(_ s: String, line: Int) -> Item? {
        let filtered = s.contains("<pre>") ? s : whitespace.filter(s)
        return filtered.isEmpty ? nil : .node(.text(filtered, line: line))
    }

    /// Parses until `{% end %}` (when `inBlock` is set) or the end of the text.
    private mutating func parseBody(inBlock: String?, openLine: Int, inLoop: Bool) throws -> ([Item], Bool) {
        var body: [Item] = []
        while true {
            // Find the next directive start.
            var curly = pos
            while true {
                guard let c = text[curly..<text.count].firstIndex(of: UInt8(ascii: "{")), c + 1 < text.count else {
                    if let inBlock {
                        throw error("Missing {% end %} block for \(inBlock)", line: openLine)
                    }
                    let startLine = line
                    let rest = consume(to: text.count)
                    if let t = textNode(rest, line: startLine) { body.append(t) }
                    return (body, false)
                }
                let next = text[c + 1]
                if next != UInt8(ascii: "{") && next != UInt8(ascii: "%") && next != UInt8(ascii: "#") {
                    curly = c + 1
                    continue
                }
                // With more than two braces in a row, use the innermost ones.
                if c + 2 < text.count && next == UInt8(ascii: "{") && text[c + 2] == UInt8(ascii: "{") {
                    curly = c + 1
                    continue
                }
                curly = c
                break
            }
            if curly > pos {
                let startLine = line
                let s = consume(to: curly)
                if let t = textNode(s, line: startLine) { body.append(t) }
            }
            let startBrace = consume(to: pos + 2)
            let tagLine = line

            // "{{!", "{%!" and "{#!" output the braces literally.
            if pos < text.count && text[pos] == UInt8(ascii: "!") {
                pos += 1
                body.append(.node(.text(startBrace, line: tagLine)))
                continue
            }

            if startBrace == "{#" {
                guard let end = find(UInt8(ascii: "#"), UInt8(ascii: "}"), from: pos) else {
                    throw error("Missing end comment #}")
                }
                _ = consume(to: end + 2)
                continue
            }

            if startBrace == "{{" {
                guard let end = find(UInt8(ascii: "}"), UInt8(ascii: "}"), from: pos) else {
                    throw error("Missing end expression }}")
                }
                let contents = pythonStrip(consume(to: end))
                pos += 2
                if contents.isEmpty { throw error("Empty expression") }
                body.append(.node(.output(try expression(contents, line: tagLine), line: tagLine, raw: false)))
                continue
            }

            // "{%" directive.
            guard let end = find(UInt8(ascii: "%"), UInt8(ascii: "}"), from: pos) else {
                throw error("Missing end block %}")
            }
            let contents = pythonStrip(consume(to: end))
            pos += 2
            if contents.isEmpty { throw error("Empty block tag ({% %})") }
            let op: String
            let suffix: String
            if let space = contents.firstIndex(of: " ") {
                op = String(contents[..<space])
                suffix = pythonStrip(String(contents[contents.index(after: space)...]))
            } else {
                op = contents
                suffix = ""
            }

            let intermediateParents: [String: [String]] = [
                "else": ["if", "for", "while", "try"], "elif": ["if"], "except": ["try"], "finally": ["try"],
            ]
            if let parents = intermediateParents[op] {
                guard let inBlock else {
                    throw error("\(op) outside \(parents.joined(separator: "/")) block", line: tagLine)
                }
                guard parents.contains(inBlock) else {
                    throw error("\(op) block cannot be attached to \(inBlock) block", line: tagLine)
                }
                body.append(.intermediate(operator: op, suffix: suffix, line: tagLine))
                continue
            }

            switch op {
            case "end":
                guard inBlock != nil else { throw error("Extra {% end %} block", line: tagLine) }
                return (body, true)
            case "comment":
                continue
            case "extends", "include":
                let path = stripQuotes(suffix)
                if path.isEmpty { throw error("\(op) missing file path", line: tagLine) }
                body.append(.node(op == "extends" ? .extends(path: path, line: tagLine) : .include(path: path, line: tagLine)))
            case "set":
                if suffix.isEmpty { throw error("set missing statement", line: tagLine) }
                let a = try located { try ExpressionParser.parseAssignment(suffix) }
                body.append(.node(.set(targets: a.targets, op: a.op, value: a.value, line: tagLine)))
            case "autoescape":
                autoescape = .some(suffix == "None" ? nil : suffix)
            case "whitespace":
                guard let mode = WhitespaceMode(rawValue: suffix) else {
                    throw error("invalid whitespace mode \(suffix)", line: tagLine)
                }
                whitespace = mode
            case "raw":
                if suffix.isEmpty { throw error("raw missing expression", line: tagLine) }
                body.append(.node(.output(try expression(suffix, line: tagLine), line: tagLine, raw: true)))
            case "module", "import", "from":
                throw error("{% \(op) %} is not supported by Twister templates", line: tagLine)
            case "break", "continue":
                guard inLoop else { throw error("\(op) outside for/while block", line: tagLine) }
                body.append(.node(op == "break" ? .breakLoop(line: tagLine) : .continueLoop(line: tagLine)))
            case "apply", "block", "try", "if", "for", "while":
                let loop = op == "for" || op == "while" ? true : (op == "apply" ? false : inLoop)
                if op == "apply" && suffix.isEmpty { throw error("apply missing method name", line: tagLine) }
                if op == "block" && suffix.isEmpty { throw error("block missing name", line: tagLine) }
                let (inner, _) = try parseBody(inBlock: op, openLine: tagLine, inLoop: loop)
                body.append(.node(try makeBlock(op, suffix: suffix, line: tagLine, items: inner)))
            default:
                throw error("unknown operator: '\(op)'", line: tagLine)
            }
        }
    }

    private func stripQuotes(_ s: String) -> String {
        var s = Substring(s)
        while s.first == "\"" { s = s.dropFirst() }
        while s.last == "\"" { s = s.dropLast() }
        while s.first == "'" { s = s.dropFirst() }
        while s.last == "'" { s = s.dropLast() }
        return String(s)
    }

    /// Runs an expression parse, attaching this file and the current line to its errors.
    private func located<T>(line: Int? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var e as TemplateError {
            e.filename = name
            e.line = line ?? self.line
            throw e
        }
    }

    private func expression(_ text: String, line: Int) throws -> Expression {
        try located(line: line) {
            do {
                return try ExpressionParser.parse(text)
            } catch var e as TemplateError {
                e.message = "\(e.message) in expression '\(text)'"
                throw e
            }
        }
    }

    /// Builds a block node from its body items, splitting at intermediate markers.
    private func makeBlock(_ op: String, suffix: String, line: Int, items: [Item]) throws -> TemplateNode {
        // Split into segments: the head and one per intermediate marker.
        var segments: [(op: String, suffix: String, line: Int, body: [TemplateNode])] = [(op, suffix, line, [])]
        for item in items {
            switch item {
            case .node(let n): segments[segments.count - 1].body.append(n)
            case .intermediate(let o, let s, let l): segments.append((o, s, l, []))
            }
        }
        let head = segments[0]
        let tail = segments.dropFirst()
        func noIntermediates() throws {
            if let bad = tail.first { throw error("\(bad.op) block cannot be attached to \(op) block", line: bad.line) }
        }
        switch op {
        case "apply":
            try noIntermediates()
            return .apply(function: try expression(suffix, line: line), body: head.body, line: line)
        case "block":
            try noIntermediates()
            return .namedBlock(name: suffix, body: head.body, line: line)
        case "if":
            var clauses = [ConditionalClause(condition: try expression(suffix, line: line), line: line, body: head.body)]
            var otherwise: [TemplateNode]? = nil
            for seg in tail {
                if otherwise != nil { throw error("\(seg.op) after else in if block", line: seg.line) }
                if seg.op == "elif" {
                    clauses.append(ConditionalClause(condition: try expression(seg.suffix, line: seg.line), line: seg.line, body: seg.body))
                } else {
                    otherwise = seg.body
                }
            }
            if suffix.isEmpty { throw error("if missing condition", line: line) }
            return .ifChain(clauses: clauses, otherwise: otherwise, line: line)
        case "for", "while":
            if tail.count > 1 { throw error("too many else blocks in \(op) block", line: tail.last!.line) }
            let otherwise = tail.first?.body
            if op == "for" {
                let header = try located(line: line) { try ExpressionParser.parseForHeader(suffix) }
                return .forLoop(targets: header.targets, iterable: header.iterable, body: head.body, otherwise: otherwise, line: line)
            }
            return .whileLoop(condition: try expression(suffix, line: line), body: head.body, otherwise: otherwise, line: line)
        case "try":
            var handlers: [ExceptClause] = []
            var otherwise: [TemplateNode]? = nil
            var finally: [TemplateNode]? = nil
            for seg in tail {
                switch seg.op {
                case "except":
                    if otherwise != nil || finally != nil { throw error("except after else/finally", line: seg.line) }
                    let clause = try located(line: seg.line) { try ExpressionParser.parseExceptClause(seg.suffix) }
                    handlers.append(ExceptClause(kinds: clause.kinds, binding: clause.binding, line: seg.line, body: seg.body))
                case "else":
                    if handlers.isEmpty || finally != nil { throw error("else without except in try block", line: seg.line) }
                    otherwise = seg.body
                default:
                    if finally != nil { throw error("duplicate finally in try block", line: seg.line) }
                    finally = seg.body
                }
            }
            if handlers.isEmpty && finally == nil { throw error("try block needs except or finally", line: line) }
            return .tryBlock(body: head.body, handlers: handlers, otherwise: otherwise, finally: finally, line: line)
        default:
            fatalError("unreachable block operator \(op)")
        }
    }
}
