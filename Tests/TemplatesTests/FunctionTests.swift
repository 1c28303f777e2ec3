import Testing
import TwisterTemplates

/// Built-in functions and methods, with Tornado's and Python's results.
@Suite struct FunctionTests {
    func r(_ source: String, _ values: [String: TemplateValue] = [:]) throws -> String {
        try Template(source, autoescape: .none).render(values)
    }

    @Test func tornadoEscapes() throws {
        #expect(try r("{{ escape('<a href=\"x\">&\\'</a>') }}") == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;&lt;/a&gt;")
        #expect(try r("{{ xhtml_escape(5) }}") == "5")
        #expect(try r("{{ url_escape('a b&c/d=\u{e9}') }}") == "a+b%26c%2Fd%3D%C3%A9")
        #expect(try r("{{ url_escape('a b/c', False) }}") == "a%20b/c")
        #expect(try r("{{ json_encode({'a': [1, 2.5, None, True], 'b': '</script>\u{e9}'}) }}")
            == "{\"a\": [1, 2.5, null, true], \"b\": \"<\\/script>\\u00e9\"}")
        #expect(try r("{{ squeeze('  a \\n\\t b  ') }}") == "a b")
    }

    @Test func linkify() throws {
        #expect(try r("{{ linkify('Hello http://tornadoweb.org!') }}")
            == "Hello <a href=\"http://tornadoweb.org\">http://tornadoweb.org</a>!")
        #expect(try r("{{ linkify('see www.example.com/a?b=1&c=2.') }}")
            == "see <a href=\"http://www.example.com/a?b=1&amp;c=2\">www.example.com/a?b=1&amp;c=2</a>.")
        #expect(try r("{{ linkify('x <b> https://a.b/c', extra_params='rel=\"nofollow\"') }}")
            == "x &lt;b&gt; <a href=\"https://a.b/c\" rel=\"nofollow\">https://a.b/c</a>")
        #expect(try r("{{ linkify('ftp://a.b and www.c.d', require_protocol=True) }}") == "ftp://a.b and www.c.d")
    }

    @Test func pythonBuiltins() throws {
        #expect(try r("{{ len([1, 2]) }} {{ len({'a': 1}) }} {{ str(1.5) }} {{ int('42') }} {{ int(3.9) }} {{ float('2') }}")
            == "2 1 1.5 42 3 2.0")
        #expect(try r("{{ range(3) }} {{ range(1, 7, 2) }} {{ range(3, 0, -1) }}") == "[0, 1, 2] [1, 3, 5] [3, 2, 1]")
        #expect(try r("{{ sorted(['b', 'c', 'a']) }} {{ list(reversed([1, 2])) }} {{ enumerate(['a', 'b'], 1) }}")
            == "['a', 'b', 'c'] [2, 1] [[1, 'a'], [2, 'b']]")
        #expect(try r("{{ zip([1, 2, 3], 'ab') }} {{ min(3, 1, 2) }} {{ max([1, 5, 2]) }} {{ abs(-4) }} {{ sum([1, 2, 3]) }}")
            == "[[1, 'a'], [2, 'b']] 1 5 4 6")
        #expect(try r("{{ round(2.5) }} {{ round(3.5) }} {{ round(2.675, 1) }} {{ repr('x') }} {{ bool('') }}") == "2 4 2.7 'x' False")
        #expect(try r("{{ sorted(xs, key=len) }}", ["xs": ["ccc", "a", "bb"]]) == "['a', 'bb', 'ccc']")
    }

    @Test func stringMethods() throws {
        #expect(try r("{{ 'Ab'.upper() }} {{ 'Ab'.lower() }} {{ '  x  '.strip() }}|{{ 'xxaxx'.strip('x') }} {{ ' a'.lstrip() }}{{ 'b '.rstrip() }}")
            == "AB ab x|a ab")
        #expect(try r("{{ ', '.join(['a', 'b']) }} {{ 'a-b-c'.replace('-', '+') }} {{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }}")
            == "a, b a+b+c True True")
        #expect(try r("{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }}")
            == "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c']")
        #expect(try r("{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'abcb'.find('b') }} {{ 'abcb'.count('b') }}")
            == "Hello World Hello 1 2")
    }

    @Test func dictionaryAndListMethods() throws {
        let d: TemplateValue = ["z": 1, "a": 2]
        #expect(try r("{{ d.keys() }} {{ d.values() }} {{ d.items() }} {{ d.get('a') }} {{ d.get('q', 0) }} {{ d.get('q') }}", ["d": d])
            == "['z', 'a'] [1, 2] [['z', 1], ['a', 2]] 2 0 None")
        #expect(try r("{{ [1, 2, 2].count(2) }} {{ ['a', 'b'].index('b') }}") == "2 1")
    }

    @Test func escapingFunctionsAreCallableFromSwift() throws {
        #expect(TemplateEscaping.xhtmlEscape("<'\">&") == "&lt;&#x27;&quot;&gt;&amp;")
        #expect(TemplateEscaping.urlEscape("a b") == "a+b")
        #expect(try TemplateEscaping.jsonEncode(["k": "v"]) == "{\"k\": \"v\"}")
    }
}
