/// A Swift type that converts itself to a ``TemplateValue``, so it can be passed to templates directly.
///
/// The standard scalar types, optionals, arrays and string-keyed dictionaries of representable values conform.
public protocol TemplateRepresentable {
    var templateValue: TemplateValue { get }
}

extension TemplateValue: TemplateRepresentable {
    public var templateValue: TemplateValue { self }
}

extension String: TemplateRepresentable {
    public var templateValue: TemplateValue { .string(self) }
}

extension Substring: TemplateRepresentable {
    public var templateValue: TemplateValue { .string(String(self)) }
}

extension Int: TemplateRepresentable {
    public var templateValue: TemplateValue { .int(self) }
}

extension Double: TemplateRepresentable {
    public var templateValue: TemplateValue { .double(self) }
}

extension Bool: TemplateRepresentable {
    public var templateValue: TemplateValue { .bool(self) }
}

extension Optional: TemplateRepresentable where Wrapped: TemplateRepresentable {
    public var templateValue: TemplateValue { self?.templateValue ?? .null }
}

extension Array: TemplateRepresentable where Element: TemplateRepresentable {
    public var templateValue: TemplateValue { .array(map(\.templateValue)) }
}

extension Dictionary: TemplateRepresentable where Key == String, Value: TemplateRepresentable {
    public var templateValue: TemplateValue { .dictionary(TemplateDictionary(mapValues(\.templateValue))) }
}

extension TemplateValue {
    /// Converts a representable Swift value.
    public init(_ value: some TemplateRepresentable) {
        self = value.templateValue
    }

    /// Converts an untyped value, as found in `[String: Any]`: representable values, `TemplateFieldProvider`s,
    /// arrays and string-keyed dictionaries of those, integers and floats of any width; nil or `NSNull`-like
    /// optionals become `.null`. Returns nil for anything else.
    public init?(any value: Any) {
        switch value {
        case let v as TemplateValue: self = v
        case let v as String: self = .string(v)
        case let v as Bool: self = .bool(v)
        case let v as Int: self = .int(v)
        case let v as Double: self = .double(v)
        case let v as Float: self = .double(Double(v))
        case let v as Int64: self = .int(Int(v))
        case let v as Int32: self = .int(Int(v))
        case let v as UInt: self = v <= UInt(Int.max) ? .int(Int(v)) : .double(Double(v))
        case let v as Substring: self = .string(String(v))
        case let v as any TemplateFieldProvider: self = .object(v)
        case let v as TemplateFunction: self = .function(v)
        case let v as any TemplateRepresentable: self = v.templateValue
        case let v as [Any]:
            var out: [TemplateValue] = []
            out.reserveCapacity(v.count)
            for e in v {
                guard let c = TemplateValue(any: e) else { return nil }
                out.append(c)
            }
            self = .array(out)
        case let v as [String: Any]:
            var out: [String: TemplateValue] = [:]
            for (k, e) in v {
                guard let c = TemplateValue(any: e) else { return nil }
                out[k] = c
            }
            self = .dictionary(TemplateDictionary(out))
        default:
            // Optional<Any>.none arrives boxed; unwrap it through reflection.
            let m = Mirror(reflecting: value)
            if m.displayStyle == .optional {
                if let child = m.children.first { self.init(any: child.value) } else { self = .null }
                return
            }
            return nil
        }
    }

    /// Converts an untyped dictionary (`[String: Any]`), failing if any value is not convertible.
    public static func values(_ dictionary: [String: Any]) -> [String: TemplateValue]? {
        var out: [String: TemplateValue] = [:]
        for (k, v) in dictionary {
            guard let c = TemplateValue(any: v) else { return nil }
            out[k] = c
        }
        return out
    }
}
