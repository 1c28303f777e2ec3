import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// Site-level behaviour: arguments, cookies, auth, sessions, conditionals, URLs, access log
/// (twisted-core-web.md §2.1 items 31-33, §2.2 items 16-21).
@Suite("Site") @ReactorActor
struct SiteTests {
    final class ArgsResource: Resource {
        var last: Request?
        override var isLeaf: Bool { true }
        override var allowedMethods: [String] { ["GET", "HEAD", "POST"] }
        override func renderGET(_ request: Request) throws -> RenderResult { last = request; return "ok" }
        override func renderPOST(_ request: Request) throws -> RenderResult { last = request; return "ok" }
    }

    // Item 31
    @Test func urlencodedAndMultipartBodiesLandInArgsAndASecondQuestionMarkStaysInTheQuery() {
        let r = ArgsResource()
        let h = SiteHarness(r)
        h.send("GET /p?a=1&b=x+y&a=2&c=%26?d=3 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(r.last?.args["a"] == ["1", "2"])
        #expect(r.last?.args["b"] == ["x y"])
        #expect(r.last?.args["c"] == ["&?d=3"])

        let form = "a=3&e=%C3%A9"
        h.send("POST /p?a=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)")
        #expect(r.last?.args["a"] == ["1", "3"])
        #expect(r.last?.args["e"] == ["é"])

        let chunkedForm = "x=1&y=2"
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nx=1\r\n4\r\n&y=2\r\n0\r\n\r\n")
        #expect(r.last?.args["y"] == ["2"])
        _ = chunkedForm

        let mp = "--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue one\r\n--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile\r\nbody\r\n--XyZ--\r\n"
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: \(mp.utf8.count)\r\n\r\n\(mp)")
        #expect(r.last?.args["field"] == ["value one"])
        #expect(r.last?.files["up"]?.first?.filename == "a.txt")
        #expect(r.last?.files["up"].map { String(buffer: $0[0].body) } == "file\r\nbody")
        #expect(r.last?.files["up"]?.first?.contentType == "text/plain")
        #expect(SiteHarness.statuses(h.take()) == [200, 200, 200, 200])
    }

    @Test func badMultipartGets400() {
        let r = ArgsResource()
        let h = SiteHarness(r)
        let bad = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nno end"
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: \(bad.utf8.count)\r\n\r\n\(bad)")
        #expect(SiteHarness.statuses(h.take()) == [400])
        #expect(r.last == nil)
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data\r\nContent-Length: 3\r\n\r\nabc")
        #expect(SiteHarness.statuses(h.take()) == [400])
    }

    // Item 32
    @Test func basicAuthIsDecodedAndMalformedGivesEmptyCredentials() {
        let r = Request(headers: ["Authorization": "Basic " + Base64Coding.encode(Array("alice:pa:ss".utf8))])
        #expect(r.getUser() == "alice")
        #expect(r.getPassword() == "pa:ss")
        for bad in ["Basic !!!", "Basic", "Bearer abc", "Basic " + Base64Coding.encode(Array("nocolon".utf8))] {
            let b = Request(headers: ["Authorization": bad])
            #expect(b.getUser() == "" && b.getPassword() == "")
        }
    }

    // Item 33
    @Test func cookiesFromSeveralHeadersWithOddEntries() {
        var h = HTTPHeaders()
        h.add("Cookie", "a=1; b=2 ;  c=3")
        h.add("Cookie", "novalue; d = 4; =bad; e=x=y")
        let r = Request(headers: h)
        #expect(r.getCookie("a") == "1")
        #expect(r.getCookie("b") == "2 ", "right spaces kept")
        #expect(r.getCookie("c") == "3", "left spaces stripped")
        #expect(r.getCookie("novalue") == nil)
        #expect(r.getCookie("d ") == " 4")
        #expect(r.getCookie("e") == "x=y")
    }

    @Test func addCookieSetsEveryAttributeAndSanitises() {
        let r = Request()
        r.addCookie("id", "v;al\r\nue", expires: 784111777, domain: "example.com", path: "/p", maxAge: 60,
                    secure: true, httpOnly: true, sameSite: .strict)
        r.addCookie("other", "2")
        #expect(r.responseHeaders.values("Set-Cookie") == [
            "id=v al ue; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Domain=example.com; Path=/p; Max-Age=60; Secure; HttpOnly; SameSite=Strict",
            "other=2",
        ])
    }

    // Item 16
    @Test func smallBodiesStayInMemoryLargeOnesGoToAFileAndTheHookWins() {
        var s = HTTPServerSettings()
        s.maxInMemoryBodySize = 10
        let r = ArgsResource()
        let h = SiteHarness(r, settings: s)
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(r.last?.content.isSpilled == false)
        h.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n0123456789abcde\r\n0\r\n\r\n")
        #expect(r.last?.content.isSpilled == true)
        #expect(r.last?.content.text == "0123456789abcde")
        var hookCalls: [Int?] = []
        h.site.contentFileHook = { n in hookCalls.append(n); return RequestBody(inMemoryLimit: 1_000_000) }
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n01234567890123456789")
        #expect(hookCalls == [20])
        #expect(r.last?.content.isSpilled == false)
    }

    // Item 17
    @Test func conditionalsIfModifiedSinceAndIfNoneMatch() {
        final class Cond: Resource {
            override var isLeaf: Bool { true }
            override var allowedMethods: [String] { ["GET", "HEAD", "PUT"] }
            override func renderGET(_ request: Request) throws -> RenderResult {
                if request.setLastModified(1_000_000) == .cached { return "" }
                if request.setETag("v1") == .cached { return "" }
                return "fresh"
            }
            override func renderPUT(_ request: Request) throws -> RenderResult {
                if request.setETag("v1") == .cached { return "" }
                return "stored"
            }
        }
        func fetch(_ method: String, _ headers: String) -> [Int] {
            let h = SiteHarness(Cond())
            h.send("\(method) / HTTP/1.1\r\nHost: x\r\n\(headers)\r\n")
            return SiteHarness.statuses(h.take())
        }
        #expect(fetch("GET", "") == [200])
        #expect(fetch("GET", "If-Modified-Since: \(HTTPDate.format(1_000_000))\r\n") == [304])
        #expect(fetch("GET", "If-Modified-Since: \(HTTPDate.format(999_999))\r\n") == [200])
        #expect(fetch("GET", "If-Modified-Since: yesterday\r\n") == [200])
        #expect(fetch("GET", "If-None-Match: \"v1\"\r\n") == [304])
        #expect(fetch("GET", "If-None-Match: \"v2\"\r\n") == [200])
        #expect(fetch("PUT", "If-None-Match: *\r\n") == [412])
    }

    // Item 18
    @Test func sessionsOnePerRequestFoundByCookieReplacedWhenUnknownAndExpiring() {
        final class S: Resource {
            var sessions: [WebSession] = []
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                let s = request.getSession()
                #expect(request.getSession() === s)
                sessions.append(s)
                return .text(s.uid)
            }
        }
        let res = S()
        let h = SiteHarness(res)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let out = h.take()
        let s1 = res.sessions[0]
        #expect(out.contains("Set-Cookie: TWISTED_SESSION=\(s1.uid); Path=/; HttpOnly; SameSite=Lax"))
        #expect(s1.uid.count == 64)
        h.send("GET / HTTP/1.1\r\nHost: x\r\nCookie: TWISTED_SESSION=\(s1.uid)\r\n\r\n")
        #expect(res.sessions[1] === s1)
        #expect(!h.take().contains("Set-Cookie"))
        h.send("GET / HTTP/1.1\r\nHost: x\r\nCookie: TWISTED_SESSION=unknown\r\n\r\n")
        #expect(res.sessions[2] !== s1)

        var expired = false
        s1.notifyOnExpire { expired = true }
        h.clock.advance(899)
        s1.touch()
        h.clock.advance(899)
        #expect(!expired)
        h.clock.advance(2)
        #expect(expired)
        #expect(h.site.getSession(s1.uid) == nil)
        h.send("GET / HTTP/1.1\r\nHost: x\r\nCookie: TWISTED_SESSION=\(s1.uid)\r\n\r\n")
        #expect(res.sessions.last !== s1)
    }

    @Test func secureAndInsecureSessionsAreSeparate() {
        let site = Site(Resource(), clock: Clock())
        let plain = Request(); plain.site = site
        let secure = Request(); secure.site = site; secure.isSecure = true
        let a = plain.getSession(), b = secure.getSession()
        #expect(a !== b)
        #expect(secure.responseHeaders["Set-Cookie"]!.hasPrefix("TWISTED_SECURE_SESSION="))
        #expect(secure.responseHeaders["Set-Cookie"]!.contains("; Secure"))
    }

    // Item 19
    @Test func prePathURLHandlesPortsAndQuotesSegments() {
        let h = SiteHarness(ArgsResource())
        h.transport.host = .ipv4(host: "10.0.0.1", port: 8080)
        h.send("GET /a%20b/c HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
        let r = Request(uri: "/x")
        r.prepath = ["a b", "c"]
        #expect(r.prePathURL() == "http://localhost/a%20b/c")
        r.isSecure = true
        #expect(r.prePathURL() == "https://localhost/a%20b/c")
        let last = (h.site.resource as! ArgsResource).last!
        last.prepath = ["a b"]
        #expect(last.prePathURL() == "http://example.com:8080/a%20b")
    }

    // Item 21
    @Test func accessLogLinesEscapeQuotesAndNonASCIIAndLogIPv6AndUnknownPeers() {
        var lines: [String] = []
        let h = SiteHarness(ArgsResource())
        h.site.accessLog = { lines.append($0) }
        h.send("GET /\u{E9}\"x HTTP/1.1\r\nHost: x\r\nUser-Agent: ag\"ent\r\nReferer: http://r/\r\n\r\n")
        #expect(lines.count == 1)
        let l = lines[0]
        #expect(l.hasPrefix("192.168.1.1 - - ["))
        #expect(l.contains("\"GET /\\xc3\\xa9\\\"x HTTP/1.1\" 200 2 \"http://r/\" \"ag\\\"ent\""))

        let h6 = SiteHarness(ArgsResource())
        h6.transport.peer = .ipv6(host: "::1", port: 5)
        h6.site.accessLog = { lines.append($0) }
        h6.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(lines.last!.hasPrefix("::1 - - ["))

        let hu = SiteHarness(ArgsResource())
        hu.transport.peer = .unix(path: "/tmp/s")
        hu.site.accessLog = { lines.append($0) }
        hu.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(lines.last!.hasPrefix("- - - ["))

        let hx = SiteHarness(ArgsResource())
        hx.site.logForwardedFor = true
        hx.site.accessLog = { lines.append($0) }
        hx.send("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4, 5.6.7.8\r\n\r\n")
        #expect(lines.last!.hasPrefix("1.2.3.4 - - ["))
    }

    @Test func accessLogIsOffByDefault() {
        let h = SiteHarness(ArgsResource())
        #expect(h.site.accessLog == nil)
    }
}
