import Testing
import TwisterTemplates

/// Malformed templates fail at construction with a parse error naming file and line.
@Suite struct SyntaxErrorTests {
    func parseError(_ source: String, name: String = "t.html") -> String? {
        templateError { _ = try Template(source, name: name) }.map { e in
            #expect(e.kind == .parseError)
            return e.description
        }
    }

    @Test func unclosedBlockNamesTheBlockAndItsLine() {
        #expect(parseError("a\n{% if x %}\nb") == "Missing {% end %} block for if at t.html:2")
        #expect(parseError("{% for x in xs %}{% if x %}{% end %}") == "Missing {% end %} block for for at t.html:1")
    }

    @Test func endWithoutAnOpenBlock() {
        #expect(parseError("a\n\n{% end %}") == "Extra {% end %} block at t.html:3")
    }

    @Test func unknownDirective() {
        #expect(parseError("{% frobnicate x %}") == "unknown operator: 'frobnicate' at t.html:1")
    }

    @Test func unterminatedTags() {
        #expect(parseError("x\n{# never closed") == "Missing end comment #} at t.html:2")
        #expect(parseError("{% if") == "Missing end block %} at t.html:1")
        #expect(parseError("{{ }}") == "Empty expression at t.html:1")
        #expect(parseError("{%  %}") == "Empty block tag ({% %}) at t.html:1")
    }

    /// tornado.md §3 item 41: an unterminated `{{` names the file and line, as in Tornado.
    @Test func unterminatedExpressionSaysMissingEndExpressionAtFileAndLine() {
        #expect(parseError("a\nb\n{{ x", name: "foo.html") == "Missing end expression }} at foo.html:3")
        #expect(parseError("{{", name: "foo.html") == "Missing end expression }} at foo.html:1")
    }

    @Test func misplacedIntermediateBlocks() {
        #expect(parseError("{% else %}") == "else outside if/for/while/try block at t.html:1")
        #expect(parseError("{% for x in y %}{% elif z %}{% end %}") == "elif block cannot be attached to for block at t.html:1")
        #expect(parseError("{% if a %}{% except %}{% end %}") == "except block cannot be attached to if block at t.html:1")
    }

    @Test func missingArguments() {
        #expect(parseError("{% extends %}") == "extends missing file path at t.html:1")
        #expect(parseError("{% include '' %}") == "include missing file path at t.html:1")
        #expect(parseError("{% set %}") == "set missing statement at t.html:1")
        #expect(parseError("{% apply %}x{% end %}") == "apply missing method name at t.html:1")
        #expect(parseError("{% block %}x{% end %}") == "block missing name at t.html:1")
    }

    @Test func badExpressionsAreParseErrorsWithTheirLine() {
        #expect(parseError("\n{{ 2 + }}") == "unexpected end of expression in expression '2 +' at t.html:2")
        #expect(parseError("{{ a b }}") == "unexpected 'b' in expression 'a b' at t.html:1")
        #expect(parseError("{{ 'open }}") == "unterminated string literal in expression ''open' at t.html:1")
        #expect(parseError("{% for x y %}{% end %}") == "expected 'in' in for statement at t.html:1")
        #expect(parseError("{% set x == 1 %}") == "expected '=' in set statement at t.html:1")
    }

    @Test func unsupportedDirectivesSaySo() {
        #expect(parseError("{% module Template('x.html') %}") == "{% module %} is not supported by Twister templates at t.html:1")
        #expect(parseError("{% import os %}") == "{% import %} is not supported by Twister templates at t.html:1")
    }

    @Test func extendsAndIncludeNeedALoader() {
        #expect(parseError("{% extends 'base.html' %}") == "{% extends %} block found, but no template loader at t.html:1")
        #expect(parseError("x\n{% include 'a.html' %}") == "{% include %} block found, but no template loader at t.html:2")
    }

    @Test func missingIncludedFileNamesTheIncludingLine() {
        let e = templateError { _ = try Loader(templates: ["a.html": "\n{% include 'nope.html' %}"]).load("a.html") }
        #expect(e?.kind == .loadError)
        #expect(e?.description == "template not found: nope.html at a.html:2")
    }

    @Test func parseErrorInAnIncludedFileNamesThatFile() {
        let e = templateError { _ = try Loader(templates: ["a.html": "{% include 'b.html' %}", "b.html": "\n\n{% if %}"]).load("a.html") }
        #expect(e?.description == "Missing {% end %} block for if at b.html:3")
    }

    @Test func recursiveIncludeIsReported() {
        let e = templateError { _ = try Loader(templates: ["a.html": "x\n{% include 'a.html' %}"]).load("a.html") }
        #expect(e?.description == "a.html includes or extends itself at a.html:2")
        let f = templateError { _ = try Loader(templates: ["a.html": "{% extends 'b.html' %}", "b.html": "{% extends 'a.html' %}"]).load("a.html") }
        #expect(f?.description == "a.html includes or extends itself at b.html:1")
    }
}
