import Testing
import TwisterTemplates

/// Renders `source` as a standalone template.
func render(_ source: String, name: String = "<string>", _ values: [String: TemplateValue] = [:]) throws -> String {
    try Template(source, name: name).render(values)
}

/// Renders `name` from a dictionary loader over `templates`.
func render(_ templates: [String: String], _ name: String, autoescape: Autoescape = .xhtmlEscape,
            whitespace: WhitespaceMode? = nil, _ values: [String: TemplateValue] = [:]) throws -> String {
    try Loader(templates: templates, autoescape: autoescape, whitespace: whitespace).load(name).render(values)
}

/// The TemplateError `body` throws, or nil (recorded as a test failure) if it throws none or another error.
func templateError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> TemplateError? {
    do {
        try body()
        Issue.record("expected a TemplateError", sourceLocation: sourceLocation)
    } catch let e as TemplateError {
        return e
    } catch {
        Issue.record("expected a TemplateError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A caller-supplied one-argument function over the string form of its argument.
func stringFunction(_ name: String, _ f: @escaping @Sendable (String) -> String) -> TemplateValue {
    .function(TemplateFunction.unary(name) { .string(f($0.pythonString)) })
}
