/// The escaping applied to `{{ expr }}` output (Tornado's `autoescape` setting and `{% autoescape %}` directive).
public enum Autoescape: Sendable, Equatable {
    /// No escaping (`{% autoescape None %}`).
    case none
    /// Call the function with this name from the template namespace on the `str()` of each value.
    /// `xhtml_escape` and `escape` use the built-in escaper directly, writing into the output buffer.
    case function(String)

    /// Tornado's default: `xhtml_escape`.
    public static let xhtmlEscape = Autoescape.function("xhtml_escape")

    init(directive: String?) {
        self = directive.map { .function($0) } ?? .none
    }
}
