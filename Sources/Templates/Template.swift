/// A compiled template in Tornado's template language.
///
/// The source is parsed and compiled once, at initialisation, into a closure tree; `render` only runs it.
/// Parse errors (including errors in files it extends or includes) are thrown from the initialiser as a
/// ``TemplateError`` of kind `.parseError` naming file and line; runtime errors are thrown from `render`,
/// naming the file and line of the failing node and the include hops (`at sub.html:1 (via base.html:1)`).
///
/// A template is immutable and `Sendable`: render it from any thread, concurrently.
public final class Template: Sendable {
    /// The name used in error messages and to resolve relative `{% include %}`/`{% extends %}` paths.
    public let name: String
    let file: ParsedFile
    let program: Program
    /// Names of the loader templates this one was compiled from (extended and included files).
    let dependencies: Set<String>

    /// Compiles a standalone template. Without a loader, `{% extends %}` and `{% include %}` are errors.
    ///
    /// - Parameters:
    ///   - source: the template text.
    ///   - name: the file name for error messages and the whitespace default (`.html`/`.js` → `.single`).
    ///   - autoescape: the escaping of `{{ }}` unless the file says `{% autoescape … %}`.
    ///   - whitespace: the whitespace mode; nil picks the default for `name`.
    ///   - namespace: extra values every render sees (the caller's values override them).
    public convenience init(_ source: String, name: String = "<string>", autoescape: Autoescape = .xhtmlEscape,
                            whitespace: WhitespaceMode? = nil, namespace: [String: TemplateValue] = [:]) throws {
        try self.init(source: source, name: name, loader: nil, autoescape: autoescape,
                      whitespace: whitespace ?? .default(forName: name), namespace: namespace)
    }

    init(source: String, name: String, loader: Loader?, autoescape: Autoescape, whitespace: WhitespaceMode,
         namespace: [String: TemplateValue]) throws {
        self.name = name
        self.file = try ParsedFile(source: source, name: name, autoescape: autoescape, whitespace: whitespace)
        var ancestors = [file]
        for node in file.nodes {
            guard case .extends(let path, let line) = node else { continue }
            guard let loader else {
                throw TemplateError(kind: .parseError, message: "{% extends %} block found, but no template loader",
                                    filename: name, line: line)
            }
            let parent: Template
            do {
                parent = try loader.load(path, relativeTo: name)
            } catch {
                throw SourceLocation(file: name, line: line, via: []).locate(error)
            }
            ancestors.append(contentsOf: parent.ancestors)
        }
        self.ancestors = ancestors
        let (program, deps) = try NodeCompiler.compile(ancestors: ancestors, loader: loader, namespace: namespace)
        self.program = program
        var allDeps = deps
        for a in ancestors.dropFirst() { allDeps.insert(a.name) }
        self.dependencies = allDeps
    }

    /// This file followed by every file it extends, outward.
    let ancestors: [ParsedFile]

    /// Renders with `values` as the template's variables and returns the text.
    public func render(_ values: [String: TemplateValue] = [:]) throws -> String {
        var out: [UInt8] = []
        try program.render(into: &out, values: values)
        return String(decoding: out, as: UTF8.self)
    }

    /// Renders and appends the UTF-8 output to `buffer` (no intermediate String). On error, `buffer` keeps
    /// whatever was rendered before the failure.
    public func render(into buffer: inout [UInt8], _ values: [String: TemplateValue] = [:]) throws {
        try program.render(into: &buffer, values: values)
    }

    /// Renders and returns the UTF-8 bytes (Tornado's `generate`).
    public func generate(_ values: [String: TemplateValue] = [:]) throws -> [UInt8] {
        var out: [UInt8] = []
        try program.render(into: &out, values: values)
        return out
    }

    /// Renders with the fields of an `Encodable` value (which must encode as a keyed container) as variables.
    public func render(encoding values: some Encodable) throws -> String {
        guard case .dictionary(let d) = try TemplateValue(encoding: values) else {
            throw TemplateError(kind: .typeError, message: "template values must encode as a keyed container")
        }
        return try render(d.swiftDictionary)
    }
}
