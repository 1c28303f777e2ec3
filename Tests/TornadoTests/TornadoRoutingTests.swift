import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// Routing (tornado.md §3 items 8, 9, 16, 25) and the Application seam.
@Suite @ReactorActor struct TornadoRoutingTests {
    /// Ports tornado.md §3 item 16.
    @Test func unmatchedPathGetsTornadosExact404Body() throws {
        let h = AppHarness([route("/", get: { $0.write("home"); return .done })])
        let r = try #require(h.fetch("/nope"))
        #expect(r.code == 404)
        #expect(r.body == "<html><title>404: Not Found</title><body>404: Not Found</body></html>")
        #expect(r.header("Content-Type") == "text/html; charset=UTF-8")
        #expect(h.fetch("/")?.body == "home")
    }

    /// Ports tornado.md §3 item 16.
    @Test func defaultHandlerReplacesThe404() throws {
        var s = ApplicationSettings()
        s.defaultHandler = { BlockHandler() }
        let h = AppHarness([], settings: s)
        // A BlockHandler without closures answers 405 for GET: it was used.
        #expect(h.fetch("/anything")?.code == 405)
    }

    /// Ports tornado.md §3 item 8.
    @Test func pathGroupsArePercentDecodedAndPlusStaysPlus() throws {
        var seen: [String?] = []
        let h = AppHarness([route("/group/(.*)", get: { seen = $0.pathArgs; $0.write("ok"); return .done })])
        h.fetch("/group/%3F"); h.fetch("/group/a%2Fb"); h.fetch("/group/%C3%A9"); h.fetch("/group/a+b")
        #expect(seen.isEmpty == false)
        var all: [String] = []
        let h2 = AppHarness([route("/group/(.*)", get: { all.append($0.pathArgs[0] ?? "nil"); #expect($0.request.path.hasPrefix("/group/")); return .done })])
        for p in ["/group/%3F", "/group/a%2Fb", "/group/%C3%A9", "/group/a+b"] { h2.fetch(p) }
        #expect(all == ["?", "a/b", "é", "a+b"])
    }

    /// tornado.md §3 item 8: the groups are decoded while `request.path` keeps the escapes.
    @Test func requestPathKeepsItsEscapesWhileGroupsAreDecoded() throws {
        var seen: [(path: String, group: String?)] = []
        let h = AppHarness([route("/group/(.*)", get: { seen.append(($0.request.path, $0.pathArgs[0])); return .done })])
        for p in ["/group/%3F", "/group/a%2Fb", "/group/%C3%A9", "/group/a+b"] { h.fetch(p) }
        #expect(seen.map(\.path) == ["/group/%3F", "/group/a%2Fb", "/group/%C3%A9", "/group/a+b"])
        #expect(seen.map(\.group) == ["?", "a/b", "é", "a+b"])
    }

    /// Ports tornado.md §3 item 8.
    @Test func invalidUTF8InPathOrQueryGets400() throws {
        let h = AppHarness([route("/group/(.*)", get: { $0.write(try $0.getArgument("q", default: "-")!); return .done })])
        #expect(h.fetch("/group/%E9")?.code == 400)
        #expect(h.fetch("/group/x?q=%E9")?.code == 400)
        #expect(h.fetch("/group/x?q=%C3%A9")?.body == "é")
    }

    @Test func namedGroupsBecomeKeywordArguments() throws {
        var got: [String: String?] = [:]
        let h = AppHarness([route("/(?P<a>[a-z]+)/(?<b>[0-9]+)", get: { got = $0.pathKwargs; return .done })])
        #expect(h.fetch("/abc/42")?.code == 200)
        #expect(got["a"] == "abc")
        #expect(got["b"] == "42")
    }

    @Test func patternsAreAnchoredAndTheFirstMatchWins() throws {
        let h = AppHarness([
            route("/a", get: { $0.write("literal"); return .done }),
            route("/a.*", get: { $0.write("regex"); return .done }),
        ])
        #expect(h.fetch("/a")?.body == "literal")
        #expect(h.fetch("/abc")?.body == "regex")
        #expect(h.fetch("/x/a")?.code == 404)
    }

    /// Ports tornado.md §3 item 9.
    @Test func reverseURLEscapesArgumentsAndRejectsComplexPatterns() throws {
        let app = Application([
            route("/foo/(.*)", name: "foo"),
            route("/(?P<x>a)|b", name: "complex"),
            route("/static/plain", name: "plain"),
            route("/opt/(\\d+)?", name: "optional"),
        ])
        #expect(try app.reverseURL("foo", "1 + 1") == "/foo/1%20%2B%201")
        #expect(try app.reverseURL("foo", [UInt8]([0xE9])) == "/foo/%E9")
        #expect(try app.reverseURL("foo", 42) == "/foo/42")
        #expect(try app.reverseURL("foo", "a/b") == "/foo/a/b")
        #expect(try app.reverseURL("plain") == "/static/plain")
        #expect(throws: RouteError.self) { try app.reverseURL("complex", "a") }
        #expect(throws: RouteError.self) { try app.reverseURL("missing") }
    }

    /// Ports tornado.md §3 item 9.
    @Test func anOptionalGroupThatDidNotMatchIsNil() throws {
        var got: [String?] = ["unset"]
        let h = AppHarness([route("/opt(/[0-9]+)?", get: { got = $0.pathArgs; return .done })])
        #expect(h.fetch("/opt")?.code == 200)
        #expect(got.count == 1 && got[0] == nil)
        h.fetch("/opt/12")
        #expect(got == ["/12"])
    }

    /// Ports tornado.md §3 item 25.
    @Test func hostRulesComeBeforeWildcardRulesAndAreAllConsulted() throws {
        let h = AppHarness([route("/foo", get: { $0.write("wildcard"); return .done }),
                            route("/bar", get: { $0.write("wildcard bar"); return .done })]) { app in
            app.addHandlers("www\\.example\\.com", [route("/foo", get: { $0.write("host"); return .done })])
            app.addHandlers("www\\.example\\.com", [route("/baz", get: { $0.write("host2"); return .done })])
        }
        func get(_ path: String, host: String) -> String? {
            h.harness.send("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            return h.take()?.body
        }
        #expect(get("/foo", host: "www.example.com") == "host")
        #expect(get("/foo", host: "www.example.com:8000") == "host")
        #expect(get("/baz", host: "www.example.com") == "host2")
        #expect(get("/bar", host: "www.example.com") == "wildcard bar")
        #expect(get("/foo", host: "other.example.com") == "wildcard")
    }

    /// Ports tornado.md §3 item 25.
    @Test func defaultHostRulesApplyUnlessXRealIpIsPresent() throws {
        var s = ApplicationSettings()
        s.defaultHost = "www.example.com"
        let h = AppHarness([], settings: s) { app in
            app.addHandlers("www\\.example\\.com", [route("/foo", get: { $0.write("default host"); return .done })])
        }
        h.harness.send("GET /foo HTTP/1.1\r\nHost: unknown.com\r\n\r\n")
        #expect(h.take()?.body == "default host")
        h.harness.send("GET /foo HTTP/1.1\r\nHost: unknown.com\r\nX-Real-Ip: 1.2.3.4\r\n\r\n")
        #expect(h.take()?.code == 404)
    }

    @Test func routeArgumentsReachInitialize() throws {
        final class Greeter: RequestHandler {
            var greeting = ""
            override func initialize(_ arguments: [String: Any]) { greeting = arguments["greeting"] as? String ?? "?" }
            override func get() throws -> HandlerResult { write(greeting); return .done }
        }
        let h = AppHarness([URLSpec("/", Greeter.self, arguments: ["greeting": "bonjour"]),
                            URLSpec("/f", factory: { let g = Greeter(); return g })])
        #expect(h.fetch("/")?.body == "bonjour")
        #expect(h.fetch("/f")?.body == "?")
    }
}
