import Testing
import TwisterTemplates

/// Ports of Tornado's template_test.py `TemplateTest` (tornado.md section 3, items 41–43), exact values.
@Suite struct TornadoTemplateTests {
    @Test func simpleSubstitution() throws {
        #expect(try render("Hello {{ name }}!", ["name": "Ben"]) == "Hello Ben!")
    }

    /// Ports tornado.md §3 item 41.
    @Test func twoPlusTwoIsFour() throws {
        #expect(try render("2 + 2 = {{ 2 + 2 }}") == "2 + 2 = 4")
    }

    @Test func commentIsDropped() throws {
        #expect(try render("Hello{# TODO i18n #} {{ name }}!", ["name": "Ben"]) == "Hello Ben!")
    }

    @Test func includeInlinesTheFile() throws {
        let t = ["index.html": "{% include \"header.html\" %}\nbody text", "header.html": "header text"]
        #expect(try render(t, "index.html") == "header text\nbody text")
    }

    /// Ports tornado.md §3 item 42.
    @Test func extendsReplacesTheParentsBlockDefaults() throws {
        let t = [
            "base.html": "<title>{% block title %}default title{% end %}</title>\n<body>{% block body %}default body{% end %}</body>\n",
            "page.html": "{% extends \"base.html\" %}\n{% block title %}page title{% end %}\n{% block body %}page body{% end %}\n",
        ]
        #expect(try render(t, "page.html") == "<title>page title</title>\n<body>page body</body>\n")
    }

    /// Ports tornado.md §3 item 42.
    @Test func relativeIncludesResolveFromTheCurrentFile() throws {
        let t = ["a/1.html": "{% include '2.html' %}", "a/2.html": "{% include '../b/3.html' %}", "b/3.html": "ok"]
        #expect(try render(t, "a/1.html") == "ok")
    }

    /// Ports tornado.md §3 item 42.
    @Test func relativeExtendsResolveFromTheCurrentFile() throws {
        let t = ["pages/p.html": "{% extends '../layout/base.html' %}{% block b %}child{% end %}",
                 "layout/base.html": "[{% block b %}base{% end %}]"]
        #expect(try render(t, "pages/p.html") == "[child]")
    }

    /// Ports tornado.md §3 item 41.
    @Test func unterminatedDelimitersAreParseErrors() {
        #expect(templateError { _ = try Template("{{") }?.kind == .parseError)
        #expect(templateError { _ = try Template("{%") }?.kind == .parseError)
    }

    @Test func bangEscapesOutputTheDelimiters() throws {
        #expect(try render("{{!") == "{{")
        #expect(try render("{%!") == "{%")
        #expect(try render("{#!") == "{#")
        #expect(try render("{{ 'expr' }} {{!jquery expr}}") == "expr {{jquery expr}}")
    }

    @Test func unicodeTemplateText() throws {
        #expect(try render("\u{e9}") == "\u{e9}")
    }

    @Test func unicodeLiteralExpression() throws {
        #expect(try render("{{ \"\u{e9}\" }}") == "\u{e9}")
    }

    @Test func loaderNamespaceFunctions() throws {
        let loader = Loader(templates: ["test.html": "{{ inc(5) }}"], namespace: [
            "inc": .function(TemplateFunction.unary("inc") { .int(($0.intValue ?? 0) + 1) })
        ])
        #expect(try loader.load("test.html").render() == "6")
    }

    @Test func applyFiltersTheEnclosedOutput() throws {
        let upper = stringFunction("upper") { $0.uppercased() }
        #expect(try render("{% apply upper %}foo{% end %}", ["upper": upper]) == "FOO")
        #expect(try render("{% apply upper %}foo \u{e9}{% end %}", ["upper": upper]) == "FOO \u{c9}")
    }

    @Test func ifElse() throws {
        let t = try Template("{% if x > 4 %}yes{% else %}no{% end %}")
        #expect(try t.render(["x": 5]) == "yes")
        #expect(try t.render(["x": 3]) == "no")
    }

    @Test func ifWithEmptyBodies() throws {
        #expect(try render("{% if True %}{% else %}{% end %}") == "")
    }

    /// Ports tornado.md §3 item 43.
    @Test func tryExceptElseFinally() throws {
        let t = try Template("{% try %}\ntry{% set y = 1/x %}\n{% except %}-except\n{% else %}-else\n{% finally %}-finally\n{% end %}")
        #expect(try t.render(["x": 1]) == "\ntry\n-else\n-finally\n")
        #expect(try t.render(["x": 0]) == "\ntry-except\n-finally\n")
    }

    @Test func commentDirectiveIsDropped() throws {
        #expect(try render("{% comment blah blah %}foo") == "foo")
    }

    /// Ports tornado.md §3 item 43.
    @Test func breakAndContinue() throws {
        let t = try Template("""
            {% for i in range(10) %}
                {% if i == 2 %}
                    {% continue %}
                {% end %}
                {{ i }}
                {% if i == 6 %}
                    {% break %}
                {% end %}
            {% end %}
            """)
        let result = try t.render().filter { !$0.isWhitespace }
        #expect(result == "013456")
    }

    /// Ports tornado.md §3 item 43.
    @Test func breakOutsideALoopIsAParseError() {
        let e = templateError { _ = try Template("{% break %}") }
        #expect(e?.kind == .parseError)
        #expect(e?.message == "break outside for/while block")
    }

    /// Ports tornado.md §3 item 43.
    @Test func breakInsideApplyInsideALoopIsAParseError() {
        let e = templateError { _ = try Template("{% for i in [] %}{% apply foo %}{% break %}{% end %}{% end %}") }
        #expect(e?.kind == .parseError)
    }

    @Test func nonASCIITemplateName() throws {
        #expect(try render(["t\u{e9}st.html": "hello"], "t\u{e9}st.html") == "hello")
    }
}
