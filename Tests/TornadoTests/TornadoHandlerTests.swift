import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// RequestHandler lifecycle and output (tornado.md §3 items 10–18).
@Suite @ReactorActor struct TornadoHandlerTests {
    /// Ports tornado.md §3 item 14.
    @Test func aHandlerWithNoMethodsGets405ForEveryVerbAndUnknownVerbsToo() throws {
        let h = AppHarness([route("/")])
        for m in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let r = h.fetch("/", method: m, body: m == "GET" ? nil : "")
            #expect(r?.code == 405, "\(m)")
            #expect(r?.body == "<html><title>405: Method Not Allowed</title><body>405: Method Not Allowed</body></html>")
        }
        #expect(h.fetch("/", method: "HEAD")?.code == 405)
        #expect(h.fetch("/", method: "FOO")?.code == 405)
    }

    /// Ports tornado.md §3 item 35 through an Application: the unknown method `FOO` is 405, the syntactically
    /// invalid `FOO,BAR` is 400 (refused by the parser before any handler runs).
    @Test func anUnknownMethodIs405AndAnInvalidOneIs400() throws {
        var made = 0
        let h = AppHarness([route("/", get: { $0.write("ok"); return .done }, prepare: { _ in made += 1; return .done })])
        #expect(h.fetch("/", method: "FOO")?.code == 405)
        #expect(made == 0)
        let bad = AppHarness([route("/", get: { $0.write("ok"); return .done }, prepare: { _ in made += 1; return .done })])
        let r = try #require(bad.fetch("/", method: "FOO,BAR"))
        #expect(r.code == 400)
        #expect(r.reason == "Bad Request")
        #expect(made == 0)
    }

    /// Ports tornado.md §3 item 14.
    @Test func customVerbsWorkWhenListedInSupportedMethods() throws {
        final class Custom: RequestHandler {
            override var supportedMethods: Set<String> { ["GET", "PROPFIND"] }
            override func handleMethod(_ method: String) throws -> HandlerResult {
                if method == "PROPFIND" { write("propfind"); return .done }
                return try super.handleMethod(method)
            }
        }
        let h = AppHarness([URLSpec("/", Custom.self)])
        #expect(h.fetch("/", method: "PROPFIND")?.body == "propfind")
        #expect(h.fetch("/", method: "POST", body: "")?.code == 405)
    }

    /// Ports tornado.md §3 item 10.
    @Test func setHeaderReplacesAddHeaderRepeatsAndUnsafeValuesThrow() throws {
        var errors: [String] = []
        let h = AppHarness([route("/", get: { hd in
            try hd.setHeader("X-A", "1"); try hd.setHeader("X-A", "2")
            try hd.addHeader("X-B", "1"); try hd.addHeader("X-B", "2")
            try hd.setHeader("X-Empty", "")
            try hd.setHeader("X-Tab", "a\tb")
            for bad in ["a\r\nX-Injected: 1", "a\nb", "a\u{1}b"] {
                do { try hd.setHeader("X-Bad", bad) } catch let e as UnsafeHeaderValue { errors.append(e.description) }
            }
            hd.clearHeader("X-Gone")
            return .done
        })])
        let r = try #require(h.fetch("/"))
        #expect(r.headers.values("X-A") == ["2"])
        #expect(r.headers.values("X-B") == ["1", "2"])
        #expect(r.header("X-Empty") == "")
        #expect(r.header("X-Tab") == "a\tb")
        #expect(r.header("X-Injected") == nil)
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { $0.hasPrefix("Unsafe header value") })
    }

    /// Ports tornado.md §3 item 11.
    @Test func bodyArgumentsBeatQueryArgumentsAndGetArgumentsListsQueryThenBody() throws {
        var one = "", all: [String] = []
        let h = AppHarness([route("/", post: { hd in
            one = try hd.getArgument("foo"); all = try hd.getArguments("foo")
            #expect(try hd.getQueryArgument("foo") == "hello")
            #expect(try hd.getBodyArgument("foo") == "bar")
            #expect(try hd.getArgument("sp") == "x")
            #expect(try hd.getArgument("sp", strip: false) == " x ")
            return .done
        })])
        #expect(h.fetch("/?foo=hello", method: "POST", body: "foo=bar&sp=+x+")?.code == 200)
        #expect(one == "bar")
        #expect(all == ["hello", "bar"])
    }

    @Test func aMissingArgumentIs400NamingIt() throws {
        let h = AppHarness([route("/", get: { $0.write(try $0.getArgument("needed")); return .done })])
        let r = try #require(h.fetch("/"))
        #expect(r.code == 400)
        #expect(r.body.contains("400: Bad Request"))
        #expect(r.body.contains("Missing argument needed"))
        #expect(h.fetch("/?needed=yes")?.body == "yes")
    }

    @Test func multipartFieldsAndUploadedFilesAreAvailable() throws {
        var field = "", file: UploadedFile?
        let h = AppHarness([route("/", post: { hd in
            field = try hd.getBodyArgument("field")
            file = hd.files["up"]?.first
            return .done
        })])
        let mp = "--B\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n--B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\ncontent\r\n--B--\r\n"
        #expect(h.fetch("/", method: "POST", headers: [("Content-Type", "multipart/form-data; boundary=B")], body: mp)?.code == 200)
        #expect(field == "value")
        #expect(file?.filename == "a.txt")
        #expect(file.map { String(buffer: $0.body) } == "content")
    }

    @Test func jsonBodiesDecodeAndBadJSONIs400() throws {
        struct Msg: Codable { var text: String }
        let h = AppHarness([route("/", post: { hd in
            let m = try hd.jsonBody(Msg.self)
            try hd.write(json: ["echo": m.text])
            return .done
        })])
        let r = try #require(h.fetch("/", method: "POST", headers: [("Content-Type", "application/json")], body: "{\"text\":\"hi</\"}"))
        #expect(r.code == 200)
        #expect(r.header("Content-Type") == "application/json; charset=UTF-8")
        #expect(r.body == "{\"echo\":\"hi<\\/\"}")
        #expect(h.fetch("/", method: "POST", headers: [("Content-Type", "application/json")], body: "{nope")?.code == 400)
    }

    /// Ports tornado.md §3 items 12, 13.
    @Test func errorBodiesFollowTornado() throws {
        struct Boom: Error {}
        let h = AppHarness([
            route("/500", get: { _ in throw Boom() }),
            route("/503", get: { _ in throw HTTPError(503) }),
            route("/435", get: { _ in throw HTTPError(435) }),
            route("/682", get: { _ in throw HTTPError(682, reason: "Foo") }),
            route("/crlf", get: { hd in hd.setStatus(200, reason: "OK\r\nX-Injected: 1"); return .done }),
            route("/script", get: { hd in hd.setStatus(200, reason: "<script>"); return .done }),
        ])
        var r = try #require(h.fetch("/500"))
        #expect(r.code == 500); #expect(r.body == "<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>")
        r = try #require(h.fetch("/503"))
        #expect(r.code == 503); #expect(r.body == "<html><title>503: Service Unavailable</title><body>503: Service Unavailable</body></html>")
        r = try #require(h.fetch("/435"))
        #expect(r.code == 435); #expect(r.reason == "Unknown"); #expect(r.body == "<html><title>435: Unknown</title><body>435: Unknown</body></html>")
        r = try #require(h.fetch("/682"))
        #expect(r.code == 682); #expect(r.reason == "Foo")
        r = try #require(h.fetch("/crlf"))
        #expect(r.reason == "Unknown"); #expect(r.header("X-Injected") == nil)
        r = try #require(h.fetch("/script"))
        #expect(r.reason == "Unknown")
    }

    /// Ports tornado.md §3 item 12.
    @Test func aWriteErrorThatThrowsGives500WithAnEmptyBody() throws {
        final class Failing: RequestHandler {
            struct Boom: Error {}
            override func get() throws -> HandlerResult { throw Boom() }
            override func writeError(_ code: Int, error: (any Error)?) throws { throw Boom() }
        }
        let h = AppHarness([URLSpec("/", Failing.self)])
        let r = try #require(h.fetch("/"))
        #expect(r.code == 500)
        #expect(r.body == "")
    }

    @Test func tracebacksAreServedOnlyInDebug() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "kaboom detail" } }
        var s = ApplicationSettings(); s.debug = true
        let debug = AppHarness([route("/", get: { _ in throw Boom() })], settings: s)
        let r = try #require(debug.fetch("/"))
        #expect(r.code == 500)
        #expect(r.header("Content-Type") == "text/plain")
        #expect(r.body.contains("kaboom detail"))
        let prod = AppHarness([route("/", get: { _ in throw Boom() })])
        #expect(prod.fetch("/")?.body.contains("kaboom") == false)
    }

    /// Ports tornado.md §3 item 15.
    @Test func finishInPrepareSkipsTheVerbAndFinishKeepsStatusAndHeaders() throws {
        var verbRan = false
        let h = AppHarness([
            route("/prep", get: { _ in verbRan = true; return .done }, prepare: { $0.finish("from prepare"); return .done }),
            route("/finish", get: { hd in
                hd.setStatus(401)
                try hd.setHeader("WWW-Authenticate", "Basic realm=\"something\"")
                if try hd.getArgument("finish_value", default: "") != "" { throw Finish("authentication required") }
                hd.write("authentication required")
                throw Finish()
            }),
        ])
        #expect(h.fetch("/prep")?.body == "from prepare")
        #expect(!verbRan)
        for u in ["/finish", "/finish?finish_value=1"] {
            let r = try #require(h.fetch(u))
            #expect(r.code == 401)
            #expect(r.header("WWW-Authenticate") == "Basic realm=\"something\"")
            #expect(r.body == "authentication required")
        }
    }

    /// Ports tornado.md §3 item 17.
    @Test func a204HasNoLengthAndA304DropsEntityHeaders() throws {
        let h = AppHarness([
            route("/204", get: { $0.setStatus(204); return .done }),
            route("/304", get: { hd in hd.setStatus(304); try hd.setHeader("Content-Language", "en_US"); return .done }),
        ])
        let r204 = try #require(h.fetch("/204"))
        #expect(r204.code == 204)
        #expect(r204.header("Content-Length") == nil)
        #expect(r204.header("Transfer-Encoding") == nil)
        let r304 = try #require(h.fetch("/304"))
        #expect(r304.code == 304)
        #expect(r304.header("Content-Length") == nil)
        #expect(r304.header("Content-Language") == nil)
    }

    /// Ports tornado.md §3 item 18.
    @Test func etagsAnswerIfNoneMatchWith304() throws {
        let h = AppHarness([route("/", get: { $0.write("hello"); return .done })])
        let first = try #require(h.fetch("/"))
        let etag = try #require(first.header("Etag"))
        #expect(etag == "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"")
        for inm in ["*", etag, "\"xyzzy\", \(etag)", "W/\(etag)", "\"xyzzy\",W/\(etag)"] {
            #expect(h.fetch("/", headers: [("If-None-Match", inm)])?.code == 304, "\(inm)")
        }
        #expect(h.fetch("/", headers: [("If-None-Match", "\"xyzzy\"")])?.code == 200)
    }

    @Test func writeAfterFinishIsIgnoredAndFinishTwiceIsHarmless() throws {
        let h = AppHarness([route("/", get: { hd in hd.finish("one"); hd.write("two"); hd.finish(); return .done })])
        #expect(h.fetch("/")?.body == "one")
    }

    @Test func redirectsUse302Or301OrAGivenStatus() throws {
        let h = AppHarness([
            route("/temp", get: { try $0.redirect("/x"); return .done }),
            route("/perm", get: { try $0.redirect("/y", permanent: true); return .done }),
            route("/303", get: { try $0.redirect("/z", status: 303); return .done }),
        ])
        let t = try #require(h.fetch("/temp")); #expect(t.code == 302); #expect(t.header("Location") == "/x")
        let p = try #require(h.fetch("/perm")); #expect(p.code == 301); #expect(p.header("Location") == "/y")
        #expect(h.fetch("/303")?.code == 303)
        let bad = AppHarness([route("/", get: { try $0.redirect("/x", status: 200); return .done }),
                              route("/crlf", get: { try $0.redirect("/x\r\nSet-Cookie: a=b"); return .done })])
        #expect(bad.fetch("/")?.code == 500)
        let crlf = try #require(bad.fetch("/crlf"))
        #expect(crlf.code == 500)
        #expect(crlf.header("Set-Cookie") == nil)
    }

    @Test func aDeferredResultFinishesWhenItFires() throws {
        let d = Deferred<Void>()
        let h = AppHarness([route("/", get: { hd in
            .deferred(d.addCallback { (_: Void) -> Void in hd.write("later") })
        })])
        #expect(h.fetch("/") == nil)
        d.callback(())
        #expect(h.take()?.body == "later")
    }

    @Test func aFailedDeferredAnswersItsHTTPError() throws {
        let d = Deferred<Void>()
        let h = AppHarness([route("/", get: { _ in .deferred(d) })])
        #expect(h.fetch("/") == nil)
        d.errback(HTTPError(503))
        #expect(h.take()?.code == 503)
    }

    @Test func anAsyncHandlerRunsOnTheReactorAndFinishesWhenItReturns() async throws {
        let d = Deferred<String>()
        let h = AppHarness([route("/", get: { hd in
            .async {
                let v = try await d.value
                hd.write("async \(v)")
            }
        })])
        #expect(h.fetch("/") == nil)
        d.callback("done")
        for _ in 0..<100 where h.harness.transport.written.readableBytes == 0 { await Task.yield() }
        #expect(h.take()?.body == "async done")
    }

    @Test func onConnectionCloseRunsWhenTheClientLeavesAWaitingHandler() throws {
        final class Waiter: RequestHandler {
            nonisolated(unsafe) static var closed = 0
            override func get() throws -> HandlerResult { autoFinish = false; return .done }
            override func onConnectionClose() { Self.closed += 1 }
        }
        let h = AppHarness([URLSpec("/", Waiter.self)])
        #expect(h.fetch("/") == nil)
        h.harness.transport.finishLoss(.lost("gone"))
        #expect(Waiter.closed == 1)
    }

    @Test func onFinishRunsAfterTheResponse() throws {
        final class Finisher: RequestHandler {
            nonisolated(unsafe) static var finished = 0
            override func get() throws -> HandlerResult { write("x"); return .done }
            override func onFinish() { Self.finished += 1 }
        }
        let h = AppHarness([URLSpec("/", Finisher.self)])
        h.fetch("/")
        #expect(Finisher.finished == 1)
    }

    @Test func flushSendsTheHeadAndChunksAndItsDeferredFires() throws {
        var fired = false
        let h = AppHarness([route("/", get: { hd in
            hd.write("part1")
            hd.flush().addCallback { (_: Void) -> Void in fired = true }
            hd.write("part2")
            return .done
        })])
        let r = try #require(h.fetch("/"))
        #expect(fired)
        #expect(r.header("Transfer-Encoding") == "chunked")
        #expect(r.body == "part1part2")
    }

    @Test func accessLogLinesLookLikeTornadosWithLevelsByStatus() throws {
        var lines: [(AccessLogLevel, String)] = []
        let h = AppHarness([route("/ok", get: { $0.write("x"); return .done }), route("/boom", get: { _ in throw HTTPError(500) })]) { app in
            app.accessLog = { lines.append(($0, $1)) }
        }
        h.fetch("/ok?a=1"); h.fetch("/missing"); h.fetch("/boom")
        #expect(lines.map(\.0) == [.info, .warning, .error])
        let first = lines[0].1
        #expect(first.hasPrefix("200 GET /ok?a=1 ("))
        #expect(first.hasSuffix("ms"))
        #expect(first.range(of: #"^200 GET /ok\?a=1 \([^)]+\) \d+\.\d\dms$"#, options: .regularExpression) != nil)
        #expect(lines[1].1.hasPrefix("404 GET /missing"))
    }

    /// Ports tornado.md §3 item 26.
    @Test func gzipCompressesLargeCompressibleBodiesAndAlwaysSetsVary() throws {
        var s = ApplicationSettings(); s.compressResponse = true
        let big = String(repeating: "hello world ", count: 200)
        let h = AppHarness([
            route("/big", get: { $0.write(big); return .done }),
            route("/small", get: { $0.write("tiny"); return .done }),
            route("/vary", get: { try $0.setHeader("Vary", "Accept-Language, Cookie"); $0.write(big); return .done }),
        ], settings: s)
        let r = try #require(h.fetch("/big", headers: [("Accept-Encoding", "gzip")]))
        #expect(r.header("Content-Encoding") == "gzip")
        #expect(r.header("Vary") == "Accept-Encoding")
        #expect(r.bodyBytes.count < big.utf8.count)
        #expect(r.bodyBytes.prefix(2) == [0x1f, 0x8b])
        let plain = try #require(h.fetch("/big"))
        #expect(plain.header("Content-Encoding") == nil)
        #expect(plain.header("Vary") == "Accept-Encoding")
        #expect(plain.body == big)
        #expect(h.fetch("/small", headers: [("Accept-Encoding", "gzip")])?.header("Content-Encoding") == nil)
        #expect(h.fetch("/vary", headers: [("Accept-Encoding", "gzip")])?.header("Vary") == "Accept-Language, Cookie, Accept-Encoding")
    }

    @Test func renderUsesTheLoaderAndTheHandlerNamespace() throws {
        var s = ApplicationSettings()
        s.templateLoader = Loader(templates: ["page.html": "<p>{{ name }} {{ request.path }} {{ static_url('a.css') }}</p>",
                                              "links.html": "{{ reverse_url('item', 'a b', 7) }} {{ current_user }}"])
        s.staticContent = ["a.css": Array("body{}".utf8)]
        let h = AppHarness([
            route("/page", get: { try $0.render("page.html", ["name": "<Ann>"]); return .done }),
            route("/links", get: { $0.currentUser = "ann"; try $0.render("links.html"); return .done }),
            route("/item/([^/]+)/([0-9]+)", name: "item"),
        ], settings: s)
        let r = try #require(h.fetch("/page"))
        #expect(r.body.hasPrefix("<p>&lt;Ann&gt; /page /static/a.css?v="))
        #expect(h.fetch("/links")?.body == "/item/a%20b/7 ann")
    }
}
