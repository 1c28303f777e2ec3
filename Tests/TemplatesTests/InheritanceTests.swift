import Testing
import TwisterTemplates

/// extends/block/include semantics beyond Tornado's own tests.
@Suite struct InheritanceTests {
    @Test func includeSharesTheCallersVariablesBothWays() throws {
        let t = ["page.html": "{% set who = 'Ann' %}{% include 'greet.html' %} {{ greeted }}",
                 "greet.html": "Hi {{ who }}{% set greeted = 'yes' %}"]
        #expect(try render(t, "page.html") == "Hi Ann yes")
    }

    @Test func includedFileSeesLoopVariables() throws {
        let t = ["list.html": "{% for item in items %}{% include 'item.html' %}{% end %}", "item.html": "<{{ item }}>"]
        #expect(try render(t, "list.html", ["items": ["a", "b&"]]) == "<a><b&amp;>")
    }

    @Test func childContentOutsideBlocksIsIgnored() throws {
        let t = ["base.html": "A{% block x %}base{% end %}B", "child.html": "junk{% extends 'base.html' %}more{% block x %}child{% end %}tail"]
        #expect(try render(t, "child.html") == "AchildB")
    }

    @Test func multiLevelInheritanceUsesTheMostDerivedBlock() throws {
        let t = ["base.html": "[{% block a %}base-a{% end %}|{% block b %}base-b{% end %}]",
                 "mid.html": "{% extends 'base.html' %}{% block a %}mid-a{% end %}{% block b %}mid-b{% end %}",
                 "leaf.html": "{% extends 'mid.html' %}{% block b %}leaf-b{% end %}"]
        #expect(try render(t, "leaf.html") == "[mid-a|leaf-b]")
        #expect(try render(t, "mid.html") == "[mid-a|mid-b]")
    }

    @Test func nestedBlocksCanBeOverriddenSeparately() throws {
        let t = ["base.html": "{% block outer %}<{% block inner %}i{% end %}>{% end %}",
                 "c.html": "{% extends 'base.html' %}{% block inner %}I{% end %}"]
        #expect(try render(t, "c.html") == "<I>")
    }

    @Test func blocksDefinedInIncludedFilesCanBeOverridden() throws {
        let t = ["base.html": "{% include 'part.html' %}", "part.html": "({% block p %}part{% end %})",
                 "c.html": "{% extends 'base.html' %}{% block p %}child{% end %}"]
        #expect(try render(t, "c.html") == "(child)")
    }

    @Test func tripleBracesUseTheInnermostPair() throws {
        #expect(try render("{{{ x }}}", ["x": 1]) == "{1}")
    }

    @Test func blockVariablesAreTheTemplatesVariables() throws {
        let t = ["base.html": "{% block b %}{% end %}{{ title }}", "c.html": "{% extends 'base.html' %}{% block b %}{% set title = 'T' %}{% end %}"]
        #expect(try render(t, "c.html") == "T")
    }
}
