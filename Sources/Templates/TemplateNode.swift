/// The parsed form of a template file: text, expressions and directives, with their line numbers.
/// Expressions are already parsed; the compiler turns the nodes into closures.
indirect enum TemplateNode: Sendable {
    /// Literal text, whitespace already filtered.
    case text(String, line: Int)
    /// `{{ expr }}` (escaped under the file's autoescape) or `{% raw expr %}` (`raw: true`).
    case output(Expression, line: Int, raw: Bool)
    case ifChain(clauses: [ConditionalClause], otherwise: [TemplateNode]?, line: Int)
    case forLoop(targets: [String], iterable: Expression, body: [TemplateNode], otherwise: [TemplateNode]?, line: Int)
    case whileLoop(condition: Expression, body: [TemplateNode], otherwise: [TemplateNode]?, line: Int)
    case tryBlock(body: [TemplateNode], handlers: [ExceptClause], otherwise: [TemplateNode]?,
                  finally: [TemplateNode]?, line: Int)
    case set(targets: [String], op: BinaryOperator?, value: Expression, line: Int)
    case breakLoop(line: Int)
    case continueLoop(line: Int)
    case apply(function: Expression, body: [TemplateNode], line: Int)
    case namedBlock(name: String, body: [TemplateNode], line: Int)
    case extends(path: String, line: Int)
    case include(path: String, line: Int)
}

/// One `if`/`elif` arm.
struct ConditionalClause: Sendable {
    var condition: Expression
    var line: Int
    var body: [TemplateNode]
}

/// One `{% except [Kind[, …]] [as name] %}` arm; no kinds catches everything.
struct ExceptClause: Sendable {
    var kinds: [String]
    var binding: String?
    var line: Int
    var body: [TemplateNode]
}
