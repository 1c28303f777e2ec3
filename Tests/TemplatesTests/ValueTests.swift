import Foundation
import Testing
import TwisterTemplates

/// Passing Swift values to templates: literals, TemplateRepresentable, field providers, Encodable, `Any`.
@Suite struct ValueTests {
    struct User: TemplateFieldProvider {
        var name: String
        var admin: Bool
        func templateField(named field: String) -> TemplateValue? {
            switch field {
            case "name": return .string(name)
            case "admin": return .bool(admin)
            case "shout": return .function(TemplateFunction("shout") { _ in .string(name.uppercased() + "!") })
            default: return nil
            }
        }
        var templateDescription: String { "User(\(name))" }
    }

    @Test func fieldProvidersExposeFieldsAndMethods() throws {
        let t = try Template("{{ u.name }} {{ u['name'] }} {% if u.admin %}admin{% end %} {{ u.shout() }} {{ u }}")
        #expect(try t.render(["u": .object(User(name: "<Ann>", admin: true))]) == "&lt;Ann&gt; &lt;Ann&gt; admin &lt;ANN&gt;! User(&lt;Ann&gt;)")
        let e = templateError { _ = try Template("{{ u.age }}").render(["u": .object(User(name: "a", admin: false))]) }
        #expect(e?.message == "'User' object has no attribute 'age'")
    }

    @Test func encodableValuesConvertThroughJSON() throws {
        struct Item: Encodable { var title: String; var price: Double; var tags: [String]; var note: String? }
        struct Page: Encodable { var items: [Item]; var count: Int }
        let page = Page(items: [Item(title: "A&B", price: 2.5, tags: ["x"], note: nil)], count: 1)
        let t = try Template("{{ count }}:{% for i in items %}{{ i.title }} {{ i.price }} {{ i.tags[0] }} {{ i.get('note') }}{% end %}")
        #expect(try t.render(encoding: page) == "1:A&amp;B 2.5 x None")
        #expect(try TemplateValue(encoding: [1, 2]) == [1, 2])
        #expect(try TemplateValue(json: "{\"a\": [true, null, 1.5, \"\\u00e9\"]}") == ["a": [true, nil, 1.5, "\u{e9}"]])
    }

    @Test func untypedDictionariesConvert() throws {
        let any: [String: Any] = ["s": "x", "i": 1, "d": 1.5, "b": true, "list": [1, "a"], "nested": ["k": "v"], "none": Optional<Int>.none as Any]
        let values = try #require(TemplateValue.values(any))
        #expect(try Template("{{ s }}{{ i }}{{ d }}{{ b }}{{ list }}{{ nested.k }}{{ none }}", autoescape: .none).render(values)
            == "x11.5True[1, 'a']vNone")
        #expect(TemplateValue(any: Date()) == nil)
    }

    @Test func representableSwiftValues() throws {
        let names: [String] = ["a", "b"]
        let scores: [String: Int] = ["z": 1, "a": 2]
        let maybe: Int? = nil
        #expect(try Template("{{ names }} {{ scores }} {{ maybe }}", autoescape: .none).render([
            "names": TemplateValue(names), "scores": TemplateValue(scores), "maybe": TemplateValue(maybe),
        ]) == "['a', 'b'] {'a': 2, 'z': 1} None")
    }

    @Test func dictionariesKeepInsertionOrder() throws {
        var d: TemplateDictionary = ["b": 1, "a": 2]
        d["c"] = 3
        d["b"] = nil
        #expect(d.keys == ["a", "c"])
        #expect(try Template("{{ d }}", autoescape: .none).render(["d": .dictionary(d)]) == "{'a': 2, 'c': 3}")
        var big = TemplateDictionary()
        for i in 0..<40 { big["k\(i)"] = .int(i) }
        #expect(big["k37"] == .int(37))
        #expect(big.keys.first == "k0")
        #expect(big == TemplateDictionary(big.swiftDictionary))
    }

    @Test func pythonStringForms() {
        #expect(TemplateValue.double(0.1).pythonString == "0.1")
        #expect(TemplateValue.double(1e16).pythonString == "1e+16")
        #expect(TemplateValue.double(-0.5).pythonString == "-0.5")
        #expect(TemplateValue.double(123.456).pythonString == "123.456")
        #expect(TemplateValue.double(1.0 / 3.0).pythonString == "0.3333333333333333")
        #expect(TemplateValue.string("it's").pythonRepr == "\"it's\"")
        #expect(TemplateValue.string("a\nb").pythonRepr == "'a\\nb'")
        #expect(TemplateValue.array([.null, .bool(false)]).pythonString == "[None, False]")
    }

    @Test func truthiness() {
        let falsy: [TemplateValue] = [nil, false, 0, 0.0, "", [], .dictionary([:])]
        #expect(falsy.allSatisfy { !$0.isTruthy })
        let truthy: [TemplateValue] = [true, 1, 0.5, "x", [0], ["k": nil]]
        #expect(truthy.allSatisfy { $0.isTruthy })
    }
}
