import Testing
import TwisterTemplates

/// Tornado's AutoEscapeTest (tornado.md item 44), exact values.
@Suite struct AutoescapeTests {
    static let templates = [
        "escaped.html": "{% autoescape xhtml_escape %}{{ name }}",
        "unescaped.html": "{% autoescape None %}{{ name }}",
        "default.html": "{{ name }}",
        "include.html": "escaped: {% include 'escaped.html' %}\nunescaped: {% include 'unescaped.html' %}\ndefault: {% include 'default.html' %}\n",
        "escaped_block.html": "{% autoescape xhtml_escape %}{% block name %}base: {{ name }}{% end %}",
        "unescaped_block.html": "{% autoescape None %}{% block name %}base: {{ name }}{% end %}",
        "escaped_extends_unescaped.html": "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}",
        "escaped_overrides_unescaped.html": "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}{% block name %}extended: {{ name }}{% end %}",
        "unescaped_extends_escaped.html": "{% autoescape None %}{% extends \"escaped_block.html\" %}",
        "unescaped_overrides_escaped.html": "{% autoescape None %}{% extends \"escaped_block.html\" %}{% block name %}extended: {{ name }}{% end %}",
        "raw_expression.html": "{% autoescape xhtml_escape %}expr: {{ name }}\nraw: {% raw name %}",
    ]

    /// Ports tornado.md §3 item 44.
    @Test func loaderDefaultOff() throws {
        let loader = Loader(templates: Self.templates, autoescape: .none)
        let values: [String: TemplateValue] = ["name": "Bobby <table>s"]
        #expect(try loader.load("escaped.html").render(values) == "Bobby &lt;table&gt;s")
        #expect(try loader.load("unescaped.html").render(values) == "Bobby <table>s")
        #expect(try loader.load("default.html").render(values) == "Bobby <table>s")
        #expect(try loader.load("include.html").render(values)
            == "escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby <table>s\n")
    }

    /// Ports tornado.md §3 item 44.
    @Test func loaderDefaultOn() throws {
        let loader = Loader(templates: Self.templates, autoescape: .xhtmlEscape)
        let values: [String: TemplateValue] = ["name": "Bobby <table>s"]
        #expect(try loader.load("escaped.html").render(values) == "Bobby &lt;table&gt;s")
        #expect(try loader.load("unescaped.html").render(values) == "Bobby <table>s")
        #expect(try loader.load("default.html").render(values) == "Bobby &lt;table&gt;s")
        #expect(try loader.load("include.html").render(values)
            == "escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby &lt;table&gt;s\n")
    }

    @Test func unextendedBlocksUseTheirFilesPolicy() throws {
        let values: [String: TemplateValue] = ["name": "<script>"]
        #expect(try render(Self.templates, "escaped_block.html", values) == "base: &lt;script&gt;")
        #expect(try render(Self.templates, "unescaped_block.html", values) == "base: <script>")
    }

    /// Ports tornado.md §3 item 44.
    @Test func overridingBlockUsesTheChildsPolicyInheritedBlockTheParents() throws {
        let values: [String: TemplateValue] = ["name": "<script>"]
        #expect(try render(Self.templates, "escaped_extends_unescaped.html", values) == "base: <script>")
        #expect(try render(Self.templates, "escaped_overrides_unescaped.html", values) == "extended: &lt;script&gt;")
        #expect(try render(Self.templates, "unescaped_extends_escaped.html", values) == "base: &lt;script&gt;")
        #expect(try render(Self.templates, "unescaped_overrides_escaped.html", values) == "extended: <script>")
    }

    /// Ports tornado.md §3 item 44.
    @Test func rawBypassesEscaping() throws {
        #expect(try render(Self.templates, "raw_expression.html", ["name": "<>&\""]) == "expr: &lt;&gt;&amp;&quot;\nraw: <>&\"")
    }

    @Test func customEscapeFunctionGetsTheStringForm() throws {
        let loader = Loader(templates: ["foo.py": "{% autoescape py_escape %}s = {{ name }}\n"])
        let pyEscape = TemplateValue.function(TemplateFunction.unary("py_escape") { .string($0.pythonRepr) })
        func r(_ name: TemplateValue) throws -> String {
            try loader.load("foo.py").render(["py_escape": pyEscape, "name": name])
        }
        #expect(try r("<html>") == "s = '<html>'\n")
        #expect(try r("';sys.exit()") == "s = \"';sys.exit()\"\n")
        #expect(try r(["not a string"]) == "s = \"['not a string']\"\n")
    }

    @Test func standaloneTemplateAutoescapeSetting() throws {
        #expect(try Template("{{ x }}", autoescape: .none).render(["x": "<b>"]) == "<b>")
        #expect(try Template("{{ x }}").render(["x": "<b>'\"&"]) == "&lt;b&gt;&#x27;&quot;&amp;")
    }

    /// Ports tornado.md §3 item 44.
    @Test func autoescapeDirectiveAppliesToTheWholeFile() throws {
        // As in Tornado, the policy is a property of the file: the last directive wins everywhere in it.
        #expect(try render("{{ x }}{% autoescape None %}{{ x }}", ["x": "<"]) == "<<")
    }

    @Test func nonStringValuesAreEscapedToo() throws {
        #expect(try render("{{ xs }}", ["xs": ["<a>", 1]]) == "[&#x27;&lt;a&gt;&#x27;, 1]")
        #expect(try render("{{ n }} {{ f }} {{ b }} {{ z }}", ["n": 42, "f": 2.5, "b": true, "z": nil]) == "42 2.5 True None")
    }
}
