import Testing
import TwisterTemplates

/// The expression language: literals, names, access, operators, precedence, calls.
@Suite struct ExpressionTests {
    func r(_ source: String, _ values: [String: TemplateValue] = [:]) throws -> String {
        try Template(source, autoescape: .none).render(values)
    }

    @Test func literals() throws {
        #expect(try r("{{ 'single' }} {{ \"double\" }} {{ 'it\\'s' }} {{ \"a\\tb\" }}") == "single double it's a\tb")
        #expect(try r("{{ 42 }} {{ -7 }} {{ 1.5 }} {{ 2.0 }} {{ 1e3 }} {{ 1_000 }}") == "42 -7 1.5 2.0 1000.0 1000")
        #expect(try r("{{ True }} {{ False }} {{ None }} {{ true }} {{ false }} {{ nil }}") == "True False None True False None")
        #expect(try r("{{ [1, 'a', None] }} {{ {'k': 1, 'j': [2]} }} {{ (1, 2) }} {{ [] }}") == "[1, 'a', None] {'k': 1, 'j': [2]} [1, 2] []")
        #expect(try r("{{ 'a' 'b' }} {{ u'\\u00e9' }}") == "ab \u{e9}")
    }

    @Test func namesMemberAccessAndIndexing() throws {
        let values: [String: TemplateValue] = ["user": ["name": "Ann", "tags": ["a", "b", "c"]], "xs": [10, 20, 30]]
        #expect(try r("{{ user.name }} {{ user['name'] }} {{ user[\"tags\"][1] }} {{ user.tags[-1] }}", values) == "Ann Ann b c")
        #expect(try r("{{ xs[0] }} {{ xs[-1] }} {{ xs[1:] }} {{ xs[:2] }} {{ xs[::-1] }} {{ 'hello'[1:3] }}", values)
            == "10 30 [20, 30] [10, 20] [30, 20, 10] el")
        #expect(try r("{{ 'h\u{e9}llo'[1] }} {{ len('h\u{e9}llo') }}") == "\u{e9} 5")
    }

    @Test func arithmetic() throws {
        #expect(try r("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }}")
            == "7 9 3.5 3 -4 1 2")
        #expect(try r("{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1.5 + 1 }} {{ 10 / 4 }} {{ 4 / 2 }} {{ True + 1 }}") == "1024 0.5 2.5 2.5 2.0 2")
        #expect(try r("{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ [0] * 3 }}") == "abcd ababab [1, 2] [0, 0, 0]")
        #expect(try r("{{ '%s has %d items (%.1f%%)' % ('cart', 3, 42.25) }} {{ 'x=%r' % 'y' }}") == "cart has 3 items (42.2%) x='y'")
    }

    @Test func comparisonsAndMembership() throws {
        #expect(try r("{{ 1 < 2 }} {{ 2 <= 1 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}")
            == "True False True True True False")
        #expect(try r("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1, 2] }}") == "True True True True")
        #expect(try r("{{ x is None }} {{ x is not None }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }}", ["x": nil]) == "True False True True")
    }

    @Test func booleanLogicReturnsOperandsLikePython() throws {
        #expect(try r("{{ 0 or 'default' }} {{ 'x' and 'y' }} {{ '' and 'y' }} {{ not [] }} {{ not 1 }}") == "default y  True False")
        #expect(try r("{{ a or b and c }}", ["a": false, "b": true, "c": "C"]) == "C")
    }

    @Test func conditionalExpression() throws {
        #expect(try r("{{ 'yes' if n > 1 else 'no' }}|{{ 'a' if 0 else 'b' if 1 else 'c' }}", ["n": 2]) == "yes|b")
    }

    @Test func listComprehensionsDoNotLeakTheirVariable() throws {
        #expect(try r("{{ [x * 2 for x in xs if x > 1] }} {{ x }}", ["xs": [1, 2, 3], "x": "outer"]) == "[4, 6] outer")
        #expect(try r("{{ [k + '=' + str(v) for k, v in d.items()] }}", ["d": ["a": 1, "b": 2]]) == "['a=1', 'b=2']")
    }

    @Test func keywordArgumentsReachFunctions() throws {
        #expect(try r("{{ url_escape('a b/c', plus=False) }} {{ sorted([3, 1, 2], reverse=True) }}") == "a%20b/c [3, 2, 1]")
    }

    @Test func callerFunctionsAndObjectMethods() throws {
        let add = TemplateValue.function(TemplateFunction("add") { args in
            .int(args.positional.reduce(0) { $0 + ($1.intValue ?? 0) } + (args.named["extra"]?.intValue ?? 0))
        })
        #expect(try r("{{ add(1, 2, extra=10) }}", ["add": add]) == "13")
        let obj: TemplateValue = ["greet": .function(TemplateFunction.unary("greet") { .string("hi " + $0.pythonString) })]
        #expect(try r("{{ obj.greet('bob') }}", ["obj": obj]) == "hi bob")
    }

    @Test func callerValuesOverrideBuiltins() throws {
        let len = TemplateValue.function(TemplateFunction.unary("len") { _ in .int(-1) })
        #expect(try r("{{ len('abc') }}", ["len": len]) == "-1")
        #expect(try r("{{ len('abc') }}") == "3")
    }

    @Test func runtimeTypeErrors() {
        #expect(templateError { _ = try r("{{ 1 + 'a' }}") }?.message == "unsupported operand type(s) for +: 'int' and 'str'")
        #expect(templateError { _ = try r("{{ 1 < 'a' }}") }?.message == "'<' not supported between instances of 'int' and 'str'")
        #expect(templateError { _ = try r("{{ x() }}", ["x": 1]) }?.message == "'int' object is not callable")
        #expect(templateError { _ = try r("{{ 5[0] }}") }?.message == "'int' object is not subscriptable")
        #expect(templateError { _ = try r("{{ 10 // 0 }}") }?.kind == .zeroDivisionError)
        #expect(templateError { _ = try r("{{ 9223372036854775807 + 1 }}") }?.kind == .overflowError)
    }

    @Test func constantsAreFoldedButErrorsStillRaiseAtRenderTime() throws {
        let t = try Template("ok\n{{ 1 / 0 }}", name: "c.html")  // compiles
        #expect(templateError { _ = try t.render() }?.description == "division by zero at c.html:2")
    }
}
