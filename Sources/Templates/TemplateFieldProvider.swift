/// A Swift type whose fields templates can read with member access (`{{ user.name }}`).
///
/// Wrap a conforming value as `TemplateValue.object(value)`. `templateField(named:)` returns nil for an unknown
/// field, which the template reports as an AttributeError naming the field. Fields may be functions
/// (`.function`), which templates call as methods: `{{ user.greeting("Hi") }}`.
public protocol TemplateFieldProvider: Sendable {
    /// The value of the field `name`, or nil if the type has no such field.
    func templateField(named name: String) -> TemplateValue?
    /// Python truthiness of the object; true unless overridden.
    var templateTruthiness: Bool { get }
    /// What `{{ obj }}` and `str(obj)` print; `String(describing: self)` unless overridden.
    var templateDescription: String { get }
}

extension TemplateFieldProvider {
    public var templateTruthiness: Bool { true }
    public var templateDescription: String { String(describing: self) }
}
