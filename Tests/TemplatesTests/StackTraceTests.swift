import Testing
import TwisterTemplates

/// Runtime errors name the template file and line, with every include/block hop (tornado.md item 46,
/// Tornado's StackTraceTest), and parse errors name file and line (ParseErrorDetailTest).
@Suite struct StackTraceTests {
    @Test func expressionErrorNamesItsLine() {
        let e = templateError { _ = try render(["test.html": "one\ntwo{{1/0}}\nthree\n        "], "test.html") }
        #expect(e?.kind == .zeroDivisionError)
        #expect(e?.location == "test.html:2")
        #expect(e?.description == "division by zero at test.html:2")
    }

    @Test func directiveErrorNamesItsLine() {
        let e = templateError { _ = try render(["test.html": "one\ntwo{%if 1/0%}\nthree{%end%}\n        "], "test.html") }
        #expect(e?.location == "test.html:2")
    }

    /// Ports tornado.md §3 item 46.
    @Test func includeErrorCitesTheIncludingFile() {
        let e = templateError { _ = try render(["base.html": "{% include 'sub.html' %}", "sub.html": "{{1/0}}"], "base.html") }
        #expect(e?.location == "sub.html:1 (via base.html:1)")
    }

    @Test func errorInTheBaseOfAnExtendedTemplate() {
        let e = templateError { _ = try render(["base.html": "{{1/0}}", "sub.html": "{% extends 'base.html' %}"], "sub.html") }
        #expect(e?.location == "base.html:1")
    }

    @Test func errorInAnOverridingBlockCitesTheBlockInTheBase() {
        let t = ["base.html": "{% block 'block' %}{% end %}",
                 "sub.html": "\n{% extends 'base.html' %}\n{% block 'block' %}\n{{1/0}}\n{% end %}\n            "]
        let e = templateError { _ = try render(t, "sub.html") }
        #expect(e?.location == "sub.html:4 (via base.html:1)")
    }

    /// Ports tornado.md §3 item 46.
    @Test func multipleIncludesListEveryHopInnermostFirst() {
        let t = ["a.html": "{% include 'b.html' %}", "b.html": "{% include 'c.html' %}", "c.html": "{{1/0}}"]
        let e = templateError { _ = try render(t, "a.html") }
        #expect(e?.location == "c.html:1 (via b.html:1, a.html:1)")
    }

    @Test func parseErrorDetails() {
        let e = templateError { _ = try Loader(templates: ["foo.html": "\n\n{{"]).load("foo.html") }
        #expect(e?.description == "Missing end expression }} at foo.html:3")
        #expect(e?.filename == "foo.html")
        #expect(e?.line == 3)
    }

    @Test func undefinedNameIsANameError() {
        let e = templateError { _ = try render("a\n{{ missing }}", name: "t.html") }
        #expect(e?.kind == .nameError)
        #expect(e?.description == "name 'missing' is not defined at t.html:2")
    }

    @Test func missingAttributeAndKey() {
        let a = templateError { _ = try render("{{ d.nope }}", ["d": ["k": 1]]) }
        #expect(a?.description == "'dict' object has no attribute 'nope' at <string>:1")
        let k = templateError { _ = try render("{{ d['nope'] }}", ["d": ["k": 1]]) }
        #expect(k?.kind == .keyError)
        #expect(k?.message == "'nope'")
        let i = templateError { _ = try render("{{ xs[5] }}", ["xs": [1, 2]]) }
        #expect(i?.description == "list index out of range at <string>:1")
    }

    @Test func callerFunctionErrorsAreWrappedWithTheLocation() {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let f = TemplateValue.function(TemplateFunction("f") { _ in throw Boom() })
        let e = templateError { _ = try render("x\n\n{{ f() }}", name: "f.html", ["f": f]) }
        #expect(e?.kind == .callError)
        #expect(e?.description == "boom at f.html:3")
        #expect(e?.underlying is Boom)
    }
}
