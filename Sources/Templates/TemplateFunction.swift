/// A callable template value: a built-in (`len`, `escape`, …) or a function the caller passes in
/// (`["upper": .function(TemplateFunction("upper") { args in … })]`).
///
/// Functions receive positional and keyword arguments as Python calls them; they throw to fail the render
/// (a thrown ``TemplateError`` keeps its kind; any other error is wrapped, with the template file and line added).
public struct TemplateFunction: Sendable {
    /// The name used in error messages and `str()`.
    public let name: String
    let isBuiltin: Bool
    let body: @Sendable (TemplateArguments) throws -> TemplateValue

    /// A function taking any arguments.
    public init(_ name: String, _ body: @escaping @Sendable (TemplateArguments) throws -> TemplateValue) {
        self.name = name
        self.isBuiltin = false
        self.body = body
    }

    /// A one-argument function (the common case for filters such as `{% apply upper %}`).
    public static func unary(_ name: String, _ body: @escaping @Sendable (TemplateValue) throws -> TemplateValue) -> TemplateFunction {
        TemplateFunction(name) { args in
            try args.expect(name, count: 1)
            return try body(args.positional[0])
        }
    }

    init(builtin name: String, _ body: @escaping @Sendable (TemplateArguments) throws -> TemplateValue) {
        self.name = name
        self.isBuiltin = true
        self.body = body
    }

    /// Calls the function.
    public func call(_ arguments: TemplateArguments) throws -> TemplateValue {
        try body(arguments)
    }
}

/// The arguments of one call: positional ones in order, keyword ones by name.
public struct TemplateArguments: Sendable {
    public var positional: [TemplateValue]
    public var named: [String: TemplateValue]

    public init(_ positional: [TemplateValue], named: [String: TemplateValue] = [:]) {
        self.positional = positional
        self.named = named
    }

    /// The argument at `index` if given positionally, else the keyword `name`, else nil.
    public func value(_ index: Int, _ name: String) -> TemplateValue? {
        if index < positional.count { return positional[index] }
        return named[name]
    }

    /// Throws a TypeError unless exactly `count` positional arguments (and no keywords) were given.
    public func expect(_ function: String, count: Int) throws {
        if positional.count != count || !named.isEmpty {
            throw TemplateError(
                kind: .typeError,
                message: "\(function)() takes exactly \(count) argument\(count == 1 ? "" : "s") (\(positional.count + named.count) given)")
        }
    }

    /// Throws a TypeError unless between `min` and `max` arguments were given.
    func expect(_ function: String, min: Int, max: Int) throws {
        let n = positional.count + named.count
        if n < min || n > max {
            throw TemplateError(
                kind: .typeError,
                message: "\(function)() takes from \(min) to \(max) arguments (\(n) given)")
        }
    }
}
