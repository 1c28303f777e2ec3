import Testing
import TwisterTemplates

/// Whitespace modes (tornado.md item 45, Tornado's whitespace tests), exact values.
@Suite struct WhitespaceTests {
    static let byName = [
        "foo.html": "   \n\t\n asdf\t   ",
        "bar.js": " \n\n\n\t qwer     ",
        "baz.txt": "\t    zxcv\n\n",
        "include.html": "  {% include baz.txt %} \n ",
        "include.txt": "\t\t{% include foo.html %}    ",
    ]

    /// Ports tornado.md §3 item 45.
    @Test func htmlAndJSCollapseByDefaultTxtDoesNot() throws {
        #expect(try render(Self.byName, "foo.html") == "\nasdf ")
        #expect(try render(Self.byName, "bar.js") == "\nqwer ")
        #expect(try render(Self.byName, "baz.txt") == "\t    zxcv\n\n")
    }

    /// Ports tornado.md §3 item 45.
    @Test func includedFilesKeepTheirOwnMode() throws {
        #expect(try render(Self.byName, "include.html") == " \t    zxcv\n\n\n")
        #expect(try render(Self.byName, "include.txt") == "\t\t\nasdf     ")
    }

    /// Ports tornado.md §3 item 45.
    @Test func loaderSettingOverridesTheDefault() throws {
        let t = ["foo.html": "\t\tfoo\n\n", "bar.txt": "\t\tbar\n\n"]
        #expect(try render(t, "foo.html", whitespace: .all) == "\t\tfoo\n\n")
        #expect(try render(t, "bar.txt", whitespace: .all) == "\t\tbar\n\n")
        #expect(try render(t, "foo.html", whitespace: .single) == " foo\n")
        #expect(try render(t, "bar.txt", whitespace: .single) == " bar\n")
        #expect(try render(t, "foo.html", whitespace: .oneline) == " foo ")
        #expect(try render(t, "bar.txt", whitespace: .oneline) == " bar ")
    }

    /// Ports tornado.md §3 item 45.
    @Test func whitespaceDirectiveSwitchesModeForTheRestOfTheFile() throws {
        let t = ["foo.html": "{% whitespace oneline %}\n    {% for i in range(3) %}\n        {{ i }}\n    {% end %}\n{% whitespace all %}\n    pre\tformatted\n"]
        #expect(try render(t, "foo.html") == "  0  1  2  \n    pre\tformatted\n")
    }

    @Test func manualWhitespaceMinimizationInsideTags() throws {
        let t = ["foo.txt": "{% for i in items\n  %}{% if i > 0 %}, {% end %}{#\n  #}{{i\n  }}{% end\n%}"]
        #expect(try render(t, "foo.txt", ["items": [0, 1, 2, 3, 4]]) == "0, 1, 2, 3, 4")
    }

    @Test func preBlocksAreNotCollapsed() throws {
        #expect(try render("<pre>  a\n\n  b</pre>", name: "p.html") == "<pre>  a\n\n  b</pre>")
    }

    @Test func standaloneTemplateWhitespaceParameter() throws {
        #expect(try Template("a   b\n\n c", name: "x.txt", whitespace: .oneline).render() == "a b c")
        #expect(try Template("a   b\n\n c", name: "x.html").render() == "a b\nc")
    }

    @Test func unknownWhitespaceModeIsAParseError() {
        let e = templateError { _ = try Template("{% whitespace fancy %}", name: "w.html") }
        #expect(e?.description == "invalid whitespace mode fancy at w.html:1")
    }

    @Test func filterFunctionMatchesTornado() {
        #expect(WhitespaceMode.single.filter("a \t b\n \n c") == "a b\nc")
        #expect(WhitespaceMode.oneline.filter("a \t b\n \n c") == "a b c")
        #expect(WhitespaceMode.all.filter(" x ") == " x ")
    }
}
