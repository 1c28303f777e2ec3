import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// Cookies, signed cookies, XSRF and authentication (tornado.md §3 items 3–7, 27).
@Suite @ReactorActor struct TornadoCookieTests {
    /// Ports tornado.md §3 item 4.
    @Test func setCookieFormatsLikePythonAndQuotesSpecialValues() throws {
        let h = AppHarness([route("/", get: { hd in
            try hd.setCookie("str", "asdf")
            try hd.setCookie("unicode", "qwer")
            try hd.setCookie("bytes", "zxcv")
            try hd.setCookie("equals", "a=b")
            try hd.setCookie("quote", "a\"b")
            try hd.setCookie("semicolon", "a;b")
            return .done
        })])
        let r = try #require(h.fetch("/"))
        #expect(r.headers.values("Set-Cookie") == [
            "str=asdf; Path=/", "unicode=qwer; Path=/", "bytes=zxcv; Path=/",
            "equals=\"a=b\"; Path=/", "quote=\"a\\\"b\"; Path=/", "semicolon=\"a\\073b\"; Path=/",
        ])
    }

    /// Ports tornado.md §3 item 4.
    @Test func quotedCookiesAreUnquotedWhenRead() throws {
        var got: [String?] = []
        let h = AppHarness([route("/", get: { hd in
            got = [hd.getCookie("equals"), hd.getCookie("quote"), hd.getCookie("semicolon"), hd.getCookie("none", default: "d")]
            return .done
        })])
        h.fetch("/", headers: [("Cookie", "equals=\"a=b\"; quote=\"a\\\"b\"; semicolon=\"a\\073b\"")])
        #expect(got == ["a=b", "a\"b", "a;b", "d"])
    }

    /// Ports tornado.md §3 item 5.
    @Test func forbiddenCharactersInCookiePartsThrow() throws {
        var errors = 0
        let h = AppHarness([route("/", get: { hd in
            for (n, v, o) in [("a b", "x", CookieOptions()), ("a;b", "x", CookieOptions()), ("a", "x\u{1}", CookieOptions()),
                              ("a", "x", CookieOptions(domain: "foo;bar")), ("a", "x", CookieOptions(path: "/\r\n"))] {
                do { try hd.setCookie(n, v, options: o) } catch is CookieError { errors += 1 }
            }
            return .done
        })])
        #expect(h.fetch("/")?.headers.values("Set-Cookie") == [])
        #expect(errors == 5)
    }

    /// Ports tornado.md §3 item 6.
    @Test func settingACookieTwiceKeepsOnlyTheLastWithItsAttributes() throws {
        let h = AppHarness([route("/", get: { hd in
            try hd.setCookie("a", "b", options: CookieOptions(domain: "example.com"))
            try hd.setCookie("c", "d", options: CookieOptions(domain: "example.com"))
            try hd.setCookie("a", "e")
            try hd.setCookie("m", "1", options: CookieOptions(maxAge: 10))
            try hd.setCookie("f", "g", options: CookieOptions(httpOnly: false, secure: false))
            try hd.setCookie("all", "v", options: CookieOptions(domain: "x.org", expires: 0, path: "/p", maxAge: 5, httpOnly: true, secure: true, sameSite: .lax))
            return .done
        })])
        let r = try #require(h.fetch("/"))
        #expect(r.headers.values("Set-Cookie") == [
            "c=d; Domain=example.com; Path=/", "a=e; Path=/", "m=1; Max-Age=10; Path=/", "f=g; Path=/",
            "all=v; Domain=x.org; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Max-Age=5; Path=/p; SameSite=Lax; Secure",
        ])
    }

    @Test func clearCookieExpiresItAYearAgo() throws {
        let h = AppHarness([route("/", get: { $0.clearCookie("gone"); return .done })]) { $0.now = { 1300000000 } }
        #expect(h.fetch("/")?.header("Set-Cookie") == "gone=; expires=Sat, 13 Mar 2010 07:06:40 GMT; Path=/")
    }

    @Test func secureCookiesRoundTripAndForgeriesAreRejected() throws {
        var s = ApplicationSettings(); s.cookieSecret = "0123456789"
        var got: String??
        let h = AppHarness([
            route("/set", get: { try $0.setSecureCookie("user", "ann"); return .done }),
            route("/get", get: { got = .some($0.getSecureCookie("user")); return .done }),
        ], settings: s) { $0.now = { 1300000000 } }
        let set = try #require(h.fetch("/set")?.header("Set-Cookie"))
        let value = String(set.split(separator: ";")[0].dropFirst("user=".count))
        #expect(value.hasPrefix("2|1:0|10:1300000000|4:user|4:YW5u|"))
        #expect(set.contains("expires=Tue, 12 Apr 2011 07:06:40 GMT"))
        h.fetch("/get", headers: [("Cookie", "user=\(value)")])
        #expect(got == .some("ann"))
        h.fetch("/get", headers: [("Cookie", "user=\(value.dropLast())0")])
        #expect(got == .some(nil))
    }

    /// Ports tornado.md §3 item 3.
    @Test func versionedSecretsReportTheKeyVersion() throws {
        var s = ApplicationSettings(); s.cookieSecret = CookieSecret(keys: [0: "old", 1: "new"], version: 1)
        var version: Int?
        var got: String?
        let h = AppHarness([
            route("/set", get: { try $0.setSecureCookie("k", "v"); return .done }),
            route("/get", get: { version = $0.getSecureCookieKeyVersion("k"); got = $0.getSecureCookie("k"); return .done }),
        ], settings: s)
        let set = try #require(h.fetch("/set")?.header("Set-Cookie"))
        let value = String(set.split(separator: ";")[0].dropFirst(2))
        h.fetch("/get", headers: [("Cookie", "k=\(value)")])
        #expect(version == 1)
        #expect(got == "v")
    }

    // MARK: XSRF

    final class XsrfHandler: RequestHandler {
        override func get() throws -> HandlerResult {
            if let v = try getArgument("version", default: nil), let n = Int(v) { application.settings.xsrfCookieVersion = n }
            write(xsrfToken)
            return .done
        }
        override func post() throws -> HandlerResult { write("ok"); return .done }
    }

    func xsrfApp() -> AppHarness {
        var s = ApplicationSettings(); s.xsrfCookies = true
        return AppHarness([URLSpec("/", XsrfHandler.self)], settings: s)
    }

    /// Ports tornado.md §3 item 27.
    @Test func xsrfFailuresAre403() throws {
        let h = xsrfApp()
        let token = try #require(h.fetch("/")?.body)
        func post(_ body: String, cookie: String?) -> Int? {
            h.fetch("/", method: "POST", headers: cookie.map { [("Cookie", "_xsrf=\($0)")] } ?? [], body: body)?.code
        }
        #expect(post("", cookie: nil) == 403)                                   // no token
        #expect(post("_xsrf=\(token.urlEncoded)", cookie: nil) == 403)          // token, no cookie
        #expect(post("_xsrf=3%7C", cookie: token) == 403)                       // malformed token
        #expect(post("_xsrf=\(token.urlEncoded)", cookie: "3|") == 403)         // malformed cookie
        #expect(post("", cookie: token) == 403)                                 // cookie, no token
        let token2 = try #require(h.fetch("/")?.body)
        #expect(post("_xsrf=\(token.urlEncoded)", cookie: token2) == 403)       // another user's cookie
        #expect(post("_xsrf=\(token2.urlEncoded)", cookie: token) == 403)
    }

    /// Ports tornado.md §3 item 27.
    @Test func xsrfPassesWithBodyQueryHeaderAndLegacyTokens() throws {
        let h = xsrfApp()
        let token = try #require(h.fetch("/")?.body)
        let cookie = ("Cookie", "_xsrf=\(token)")
        #expect(h.fetch("/", method: "POST", headers: [cookie], body: "_xsrf=\(token.urlEncoded)")?.code == 200)
        #expect(h.fetch("/?_xsrf=\(token.urlEncoded)", method: "POST", headers: [cookie], body: "")?.code == 200)
        #expect(h.fetch("/", method: "POST", headers: [cookie, ("X-Xsrftoken", token)], body: "")?.code == 200)
        #expect(h.fetch("/", method: "POST", headers: [cookie, ("X-Csrftoken", token)], body: "")?.code == 200)
        #expect(h.fetch("/", method: "POST", headers: [("Cookie", "_xsrf=deadbeef")], body: "_xsrf=deadbeef")?.code == 200)
        #expect(h.fetch("/", method: "POST", headers: [("Cookie", "_xsrf=xoxo")], body: "_xsrf=xoxo")?.code == 200)
    }

    /// Ports tornado.md §3 item 27.
    @Test func everyGetYieldsADistinctTokenAndRefreshedTokensStillMatch() throws {
        let h = xsrfApp()
        var tokens = Set<String>()
        for _ in 0..<10 { tokens.insert(h.fetch("/")?.body ?? "") }
        #expect(tokens.count == 10)
        let first = try #require(h.fetch("/")?.body)
        let r = try #require(h.fetch("/", headers: [("Cookie", "_xsrf=\(first)")]))
        #expect(r.header("Set-Cookie") == nil)   // the cookie is kept
        #expect(r.body != first)                 // but re-masked
        #expect(h.fetch("/", method: "POST", headers: [("Cookie", "_xsrf=\(first)")], body: "_xsrf=\(r.body.urlEncoded)")?.code == 200)
    }

    /// Ports tornado.md §3 item 27.
    @Test func version1TokensInteroperateWithVersion2() throws {
        let h = xsrfApp()
        let v1 = try #require(h.fetch("/?version=1")?.body)
        #expect(v1.count == 32 && !v1.contains("|"))
        #expect(h.fetch("/?version=1", headers: [("Cookie", "_xsrf=\(v1)")])?.body == v1)
        let v2 = try #require(h.fetch("/?version=2", headers: [("Cookie", "_xsrf=\(v1)")])?.body)
        #expect(v2.hasPrefix("2|"))
        #expect(h.fetch("/", method: "POST", headers: [("Cookie", "_xsrf=\(v1)")], body: "_xsrf=\(v2.urlEncoded)")?.code == 200)
        #expect(h.fetch("/", method: "POST", headers: [("Cookie", "_xsrf=\(v2)")], body: "_xsrf=\(v1)")?.code == 200)
    }

    @Test func xsrfFormHTMLIsAHiddenInputAndSetsTheCookie() throws {
        var s = ApplicationSettings(); s.xsrfCookies = true
        let h = AppHarness([route("/", get: { $0.write($0.xsrfFormHTML()); return .done })], settings: s)
        let r = try #require(h.fetch("/"))
        #expect(r.body.hasPrefix("<input type=\"hidden\" name=\"_xsrf\" value=\"2|"))
        #expect(r.body.hasSuffix("\"/>"))
        #expect(r.header("Set-Cookie")?.hasPrefix("_xsrf=2|") == true)
        #expect(r.header("Set-Cookie")?.contains("expires=") == true)
    }

    // MARK: authentication

    final class AuthHandler: RequestHandler {
        override func getCurrentUser() -> Any? { getCookie("user") }
        override func get() throws -> HandlerResult { try authenticated { write("hello \(currentUser!)"); return .done } }
        override func post() throws -> HandlerResult { try authenticated { write("posted"); return .done } }
    }

    /// Ports tornado.md §3 item 7.
    @Test func authenticatedRedirectsGetToTheLoginURLWithNextAndForbidsOtherVerbs() throws {
        var s = ApplicationSettings(); s.loginURL = "/login"
        let h = AppHarness([URLSpec("/relative", AuthHandler.self)], settings: s)
        let r = try #require(h.fetch("/relative"))
        #expect(r.code == 302)
        #expect(r.header("Location") == "/login?next=%2Frelative")
        #expect(h.fetch("/relative", method: "POST", body: "")?.code == 403)
        #expect(h.fetch("/relative", headers: [("Cookie", "user=ann")])?.body == "hello ann")
        #expect(h.fetch("/relative", method: "POST", headers: [("Cookie", "user=ann")], body: "")?.body == "posted")
    }

    /// Ports tornado.md §3 item 7.
    @Test func anAbsoluteLoginURLGetsAnAbsoluteNext() throws {
        var s = ApplicationSettings(); s.loginURL = "http://example.com/login"
        let h = AppHarness([URLSpec("/absolute", AuthHandler.self)], settings: s)
        #expect(h.fetch("/absolute")?.header("Location") == "http://example.com/login?next=http%3A%2F%2Fexample.com%2Fabsolute")
    }
}

extension String {
    /// Form-encoded (for test bodies).
    var urlEncoded: String { TornadoURLCoding.quote(utf8, safe: "", plus: true) }
}
