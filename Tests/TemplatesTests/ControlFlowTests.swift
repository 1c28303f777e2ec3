import Testing
import TwisterTemplates

/// Directives: if/elif/else, for (with unpacking and else), while, set, apply, try, break/continue, nesting.
@Suite struct ControlFlowTests {
    func r(_ source: String, _ values: [String: TemplateValue] = [:]) throws -> String {
        try Template(source, autoescape: .none).render(values)
    }

    @Test func ifElifElse() throws {
        let t = try Template("{% if n < 0 %}neg{% elif n == 0 %}zero{% elif n < 10 %}small{% else %}big{% end %}")
        #expect(try [-1, 0, 5, 50].map { try t.render(["n": .int($0)]) } == ["neg", "zero", "small", "big"])
    }

    @Test func forLoopWithTupleUnpacking() throws {
        #expect(try r("{% for k, v in d.items() %}{{ k }}={{ v }};{% end %}", ["d": ["b": 1, "a": 2]]) == "b=1;a=2;")
        #expect(try r("{% for (i, x) in enumerate(xs) %}{{ i }}{{ x }} {% end %}", ["xs": ["a", "b"]]) == "0a 1b ")
        #expect(try r("{% for c in 'ab' %}[{{ c }}]{% end %}{% for k in {'x': 1} %}{{ k }}{% end %}") == "[a][b]x")
    }

    @Test func loopVariableOutlivesTheLoopLikePython() throws {
        #expect(try r("{% for i in range(3) %}{% end %}{{ i }}") == "2")
    }

    @Test func forElseRunsUnlessBroken() throws {
        #expect(try r("{% for x in [] %}x{% else %}empty{% end %}") == "empty")
        #expect(try r("{% for x in [1, 2] %}{{ x }}{% else %}!{% end %}") == "12!")
        #expect(try r("{% for x in [1, 2] %}{{ x }}{% break %}{% else %}!{% end %}") == "1")
    }

    @Test func whileWithSetAndBreak() throws {
        #expect(try r("{% set i = 0 %}{% while True %}{% set i += 1 %}{% if i > 3 %}{% break %}{% end %}{{ i }}{% end %}") == "123")
        #expect(try r("{% set n = 3 %}{% while n %}{{ n }}{% set n -= 1 %}{% end %}") == "321")
    }

    @Test func setWithUnpackingAndExpressions() throws {
        #expect(try r("{% set a, b = 1, 2 %}{{ a + b }}{% set s = 'x' * 3 %}{{ s }}") == "3xxx")
    }

    @Test func continueSkipsTheRestOfTheBody() throws {
        #expect(try r("{% for i in range(5) %}{% if i % 2 %}{% continue %}{% end %}{{ i }}{% end %}") == "024")
    }

    @Test func nestedLoopsBreakOnlyTheInnerOne() throws {
        #expect(try r("{% for a in [1, 2] %}{% for b in [1, 2, 3] %}{% if b == 2 %}{% break %}{% end %}{{ a }}{{ b }} {% end %}{% end %}")
            == "11 21 ")
    }

    @Test func applyWithABuiltin() throws {
        #expect(try r("{% apply squeeze %}  a \n  b  {% end %}|{% apply linkify %}go http://x.y{% end %}")
            == "a b|go <a href=\"http://x.y\">http://x.y</a>")
    }

    @Test func tryCatchesByKindAndBindsTheMessage() throws {
        #expect(try r("{% try %}{{ d['k'] }}{% except KeyError as e %}missing {{ e }}{% end %}", ["d": [:]]) == "missing 'k'")
        #expect(try r("{% try %}{{ 1/0 }}{% except KeyError %}k{% except ArithmeticError %}a{% end %}") == "a")
        #expect(try r("{% try %}{{ nope }}{% except (KeyError, NameError) %}n{% end %}") == "n")
        #expect(templateError { _ = try r("{% try %}{{ 1/0 }}{% except KeyError %}k{% end %}") }?.kind == .zeroDivisionError)
    }

    @Test func finallyRunsOnErrorsAndBreaks() throws {
        #expect(try r("{% for i in [1, 2] %}{% try %}{{ i }}{% break %}{% finally %}f{% end %}{% end %}") == "1f")
        var out: [UInt8] = []
        let t = try Template("{% try %}a{{ 1/0 }}{% finally %}F{% end %}")
        #expect(throws: TemplateError.self) { try t.render(into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "aF")
    }

    @Test func deepNesting() throws {
        var source = ""
        for i in 0..<60 { source += "{% if True %}<\(i)>" }
        source += "core"
        for _ in 0..<60 { source += "{% end %}" }
        let out = try r(source)
        #expect(out.hasPrefix("<0><1><2>"))
        #expect(out.hasSuffix("<58><59>core"))
        let loops = "{% for a in range(2) %}{% for b in range(2) %}{% for c in range(2) %}{% for d in range(2) %}{{ a }}{{ b }}{{ c }}{{ d }},{% end %}{% end %}{% end %}{% end %}"
        #expect(try r(loops) == "0000,0001,0010,0011,0100,0101,0110,0111,1000,1001,1010,1011,1100,1101,1110,1111,")
    }

    @Test func unicodeEverywhere() throws {
        let t = try Template("{# ü #}Grüße, {{ name }}! {% if 'ß' in name %}ß{% end %} {{ name.upper() }} {{ len(name) }} 🎉", name: "u.html")
        #expect(try t.render(["name": "Straße 🚲"]) == "Grüße, Straße 🚲! ß STRASSE 🚲 8 🎉")
        #expect(try Template("{{ x }}").render(["x": "<é>"]) == "&lt;é&gt;")
    }

    @Test func renderingTwiceGivesTheSameResultAndNoStateLeaks() throws {
        let t = try Template("{% set x = x + 1 %}{{ x }}")
        #expect(try t.render(["x": 5]) == "6")
        #expect(try t.render(["x": 5]) == "6")
        #expect(templateError { _ = try t.render() }?.message == "name 'x' is not defined")
    }

    @Test func bytesVariantsAppend() throws {
        let t = try Template("{{ a }}-{{ b }}")
        var buffer = Array("prefix:".utf8)
        try t.render(into: &buffer, ["a": 1, "b": "é"])
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix:1-é")
        #expect(try t.generate(["a": 2, "b": "x"]) == Array("2-x".utf8))
    }
}
