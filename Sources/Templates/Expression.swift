/// The syntax tree of a template expression (a Python subset), before it is compiled to closures.
indirect enum Expression: Sendable {
    case literal(TemplateValue)
    case name(String)
    case member(Expression, String)
    case index(Expression, Expression)
    case slice(Expression, Expression?, Expression?, Expression?)
    case call(Expression, [Expression], [(String, Expression)])
    case negate(Expression)
    case positive(Expression)
    case not(Expression)
    case binary(BinaryOperator, Expression, Expression)
    /// `a < b <= c`: Python's chained comparison.
    case compare(Expression, [(CompareOperator, Expression)])
    case and(Expression, Expression)
    case or(Expression, Expression)
    case conditional(condition: Expression, then: Expression, otherwise: Expression)
    case list([Expression])
    case dictionary([(Expression, Expression)])
    /// `[element for targets in iterable if condition]`.
    case comprehension(element: Expression, targets: [String], iterable: Expression, condition: Expression?)

    /// Every name this expression assigns (comprehension targets), for slot allocation.
    var assignedNames: [String] {
        switch self {
        case .comprehension(let e, let t, let it, let c):
            return t + e.assignedNames + it.assignedNames + (c?.assignedNames ?? [])
        default: return []
        }
    }
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
}

enum CompareOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case isIn = "in", notIn = "not in", isSame = "is", isNot = "is not"
}
