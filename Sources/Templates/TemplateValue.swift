/// A value a template computes with: what the caller passes in, what expressions produce.
///
/// The cases mirror the Python values Tornado templates see. Arrays also stand for Python tuples and lists;
/// dictionaries have `String` keys and keep insertion order (see ``TemplateDictionary``).
/// `.object` lets a Swift type expose fields by name (see ``TemplateFieldProvider``); `.function` is a callable.
///
/// Literal conformances let callers write values as Swift literals:
/// `["name": "Ben", "rows": [1, 2.5, true, nil]]` is a `[String: TemplateValue]`.
public enum TemplateValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    case dictionary(TemplateDictionary)
    /// A Swift value exposing fields through ``TemplateFieldProvider`` (boxed, so the enum stays small).
    indirect case object(any TemplateFieldProvider)
    case function(TemplateFunction)
}

extension TemplateValue {
    /// Python truthiness: `None`, `False`, `0`, `0.0`, `""`, `[]` and `{}` are false; everything else is true.
    @inlinable
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .dictionary(let d): return !d.isEmpty
        case .object(let o): return o.templateTruthiness
        case .function: return true
        }
    }

    /// The Python type name, used in error messages (`'int' object is not subscriptable`).
    public var typeName: String {
        switch self {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .dictionary: return "dict"
        case .object(let o): return String(describing: type(of: o))
        case .function: return "function"
        }
    }

    /// The string if this is `.string`, else nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer if this is `.int` (or `.bool`, as in Python), else nil.
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The number as a Double if this is `.int`, `.double` or `.bool`, else nil.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The elements if this is `.array`, else nil.
    public var arrayValue: [TemplateValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The entries if this is `.dictionary`, else nil.
    public var dictionaryValue: TemplateDictionary? {
        if case .dictionary(let d) = self { return d }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    /// Keeps the literal's order; a later duplicate key replaces an earlier one, as in a Python dict literal.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .dictionary(TemplateDictionary(ordered: elements))
    }
}

extension TemplateValue: ExpressibleByStringInterpolation {}

extension TemplateValue: Equatable {
    /// Python equality: numbers compare by value across int/float/bool; containers compare element-wise;
    /// objects compare equal only if both sides are the same class instance; functions never compare equal
    /// unless they share a name and are both built-ins (good enough for templates).
    public static func == (lhs: TemplateValue, rhs: TemplateValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.string(let a), .string(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.dictionary(let a), .dictionary(let b)): return a == b
        case (.object(let a), .object(let b)):
            return type(of: a) is AnyClass && (a as AnyObject) === (b as AnyObject)
        case (.function(let a), .function(let b)): return a.name == b.name && a.isBuiltin && b.isBuiltin
        default:
            if let a = lhs.numericForComparison, let b = rhs.numericForComparison {
                switch (a, b) {
                case (.int(let x), .int(let y)): return x == y
                default: return (lhs.doubleValue ?? .nan) == (rhs.doubleValue ?? .nan)
                }
            }
            return false
        }
    }

    /// `.int` for ints and bools, `.double` for doubles, nil for non-numbers.
    var numericForComparison: TemplateValue? {
        switch self {
        case .int: return self
        case .bool(let b): return .int(b ? 1 : 0)
        case .double: return self
        default: return nil
        }
    }
}
