import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting
#if canImport(Glibc)
import Glibc
#endif

/// StaticFileHandler, staticURL, RedirectHandler, FallbackHandler (tornado.md §3 items 19–24, 26, 29).
@Suite @ReactorActor struct TornadoStaticTests {
    nonisolated static let robots = "User-agent: *\nDisallow: /\n"
    nonisolated static let mtime = 1_300_000_000

    final class Dir {
        let root: String
        init() {
            var t = Array("/tmp/twister-tornado-static-XXXXXX".utf8CString)
            root = t.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            FileWriter.write(root + "/robots.txt", TornadoStaticTests.robots)
            FileWriter.write(root + "/foo.gz", "gz")
            FileWriter.write(root + "/foo.bz2", "bz2")
            FileWriter.write(root + "/big.txt", String(repeating: "static text ", count: 200))
            mkdir(root + "/dir", 0o755)
            FileWriter.write(root + "/dir/index.html", "index")
            var times = [timespec(tv_sec: TornadoStaticTests.mtime, tv_nsec: 0), timespec(tv_sec: TornadoStaticTests.mtime, tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, root + "/robots.txt", &times, 0)
        }
        deinit { _ = system("rm -rf '\(root)'") }
    }

    func app(_ dir: Dir, gzip: Bool = false) -> AppHarness {
        var s = ApplicationSettings()
        s.staticPath = dir.root
        s.compressResponse = gzip
        return AppHarness([
            URLSpec("/root_static/(.*)", StaticFileHandler.self, arguments: ["path": dir.root, "default_filename": "index.html"]),
            route("/static_url", get: { hd in
                hd.write(hd.staticURL("robots.txt") + "\n" + hd.staticURL("robots.txt", includeVersion: false) + "\n"
                         + hd.staticURL("robots.txt", includeHost: true))
                return .done
            }),
        ], settings: s)
    }

    /// Ports tornado.md §3 item 19.
    @Test func contentTypesFollowTornado() throws {
        let d = Dir(); let h = app(d)
        let r = try #require(h.fetch("/static/robots.txt"))
        #expect(r.code == 200)
        #expect(r.body == Self.robots)
        #expect(r.header("Content-Type") == "text/plain")
        #expect(h.fetch("/robots.txt")?.header("Content-Type") == "text/plain")
        #expect(h.fetch("/static/foo.gz")?.header("Content-Type") == "application/gzip")
        #expect(h.fetch("/static/foo.bz2")?.header("Content-Type") == "application/octet-stream")
    }

    /// Ports tornado.md §3 item 20.
    @Test func staticURLHasTheSHA512VersionUnlessAskedNot() throws {
        let d = Dir(); let h = app(d)
        let lines = try #require(h.fetch("/static_url")).body.split(separator: "\n").map(String.init)
        let hash = HashDigest.hex(HashDigest.hash(.sha512, Array(Self.robots.utf8)))
        #expect(lines[0] == "/static/robots.txt?v=\(hash)")
        #expect(lines[1] == "/static/robots.txt")
        #expect(lines[2] == "http://example.com/static/robots.txt?v=\(hash)")
        let r = try #require(h.fetch(lines[0]))
        #expect(r.header("Cache-Control") == "max-age=315360000")
        #expect(r.header("Expires") != nil)
        #expect(r.header("Etag") == "\"\(hash)\"")
        #expect(r.header("Accept-Ranges") == "bytes")
        #expect(h.fetch("/static/robots.txt")?.header("Cache-Control") == nil)
    }

    /// Ports tornado.md §3 item 21.
    @Test func ifModifiedSinceAndIfNoneMatchAnswer304() throws {
        let d = Dir(); let h = app(d)
        let r = try #require(h.fetch("/static/robots.txt"))
        #expect(r.header("Last-Modified") == HTTPDate.format(Self.mtime))
        func code(_ headers: [(String, String)]) -> Int? { h.fetch("/static/robots.txt", headers: headers)?.code }
        #expect(code([("If-Modified-Since", HTTPDate.format(Self.mtime))]) == 304)
        #expect(code([("If-Modified-Since", HTTPDate.format(Self.mtime + 1))]) == 304)
        #expect(code([("If-Modified-Since", HTTPDate.format(Self.mtime - 1))]) == 200)
        #expect(code([("If-Modified-Since", "Wed, 31 Dec 1969 23:59:59 GMT")]) == 200)
        #expect(code([("If-Modified-Since", "not a date")]) == 200)
        #expect(code([("If-None-Match", r.header("Etag")!)]) == 304)
        #expect(code([("If-None-Match", "\"mismatch\""), ("If-Modified-Since", HTTPDate.format(Self.mtime))]) == 200)
    }

    /// Ports tornado.md §3 item 22.
    @Test func rangesOnThe26ByteFile() throws {
        let d = Dir(); let h = app(d)
        func get(_ range: String) -> TornadoResponse? { h.fetch("/static/robots.txt", headers: [("Range", range)]) }
        var r = try #require(get("bytes=0-9"))
        #expect(r.code == 206); #expect(r.header("Content-Range") == "bytes 0-9/26"); #expect(r.body == "User-agent")
        for whole in ["bytes=0-", "bytes=0-10000000", "asdf", "bytes=0-1,3-4"] {
            r = try #require(get(whole))
            #expect(r.code == 200, "\(whole)"); #expect(r.header("Content-Range") == nil); #expect(r.body == Self.robots)
        }
        r = try #require(get("bytes=1-10000000"))
        #expect(r.code == 206); #expect(r.header("Content-Range") == "bytes 1-25/26")
        r = try #require(get("bytes=-4"))
        #expect(r.code == 206); #expect(r.body == ": /\n"); #expect(r.header("Content-Length") == "4")
        for bad in ["bytes=-0", "bytes=26", "bytes=10-3"] {
            r = try #require(get(bad))
            #expect(r.code == 416, "\(bad)"); #expect(r.header("Content-Range") == "bytes */26")
        }
    }

    /// Ports tornado.md §3 item 23.
    @Test func headMatchesGetWithoutABodyAndRangedHeadAndRangePlusEtag() throws {
        let d = Dir(); let h = app(d)
        let g = try #require(h.fetch("/static/robots.txt"))
        let hd = try #require(h.fetch("/static/robots.txt", method: "HEAD"))
        #expect(hd.code == 200)
        #expect(hd.body == "")
        for name in ["Content-Length", "Content-Type", "Etag", "Last-Modified"] { #expect(hd.header(name) == g.header(name), "\(name)") }
        let hr = try #require(h.fetch("/static/robots.txt", method: "HEAD", headers: [("Range", "bytes=1-4")]))
        #expect(hr.code == 206); #expect(hr.header("Content-Length") == "4")
        #expect(h.fetch("/static/robots.txt", headers: [("Range", "bytes=1-4"), ("If-None-Match", g.header("Etag")!)])?.code == 304)
    }

    /// Ports tornado.md §3 item 24.
    @Test func escapingTheRootIs403MissingIs404AndDirectoriesRedirect() throws {
        let d = Dir(); let h = app(d)
        #expect(h.fetch("/static/../static_foo.txt")?.code == 403)
        #expect(h.fetch("/static/missing.txt")?.code == 404)
        let r = try #require(h.fetch("/root_static/dir"))
        #expect(r.code == 301); #expect(r.header("Location") == "/root_static/dir/")
        #expect(h.fetch("/root_static/dir/")?.body == "index")
        #expect(h.fetch("/static/dir")?.code == 403)   // no default filename
    }

    /// Ports tornado.md §3 item 24.
    @Test func aDoubleSlashPathNeverBecomesAnOpenRedirect() throws {
        let d = Dir()
        let h = AppHarness([URLSpec("/(.*)", StaticFileHandler.self, arguments: ["path": d.root, "default_filename": "index.html"])])
        let r = try #require(h.fetch("//evil.com/.."))
        #expect(r.code == 403)
        #expect(r.header("Location") == nil)
    }

    /// Ports tornado.md §3 item 28.
    @Test func removeSlashAndAddSlashRedirectPermanentlyKeepingTheQuery() throws {
        let h = AppHarness([
            route("/removeslash/", get: { try $0.removeSlash { .done } }, post: { try $0.removeSlash { .done } }),
            route("/addslash", get: { try $0.addSlash { .done } }),
        ])
        var r = try #require(h.fetch("/removeslash/?foo=bar"))
        #expect(r.code == 301); #expect(r.header("Location") == "/removeslash?foo=bar")
        r = try #require(h.fetch("/addslash?foo=bar"))
        #expect(r.code == 301); #expect(r.header("Location") == "/addslash/?foo=bar")
        #expect(h.fetch("/removeslash/", method: "POST", body: "")?.code == 404)
    }

    /// Ports tornado.md §3 item 26.
    @Test func staticFilesAreGzippedToo() throws {
        let d = Dir(); let h = app(d, gzip: true)
        let r = try #require(h.fetch("/static/big.txt", headers: [("Accept-Encoding", "gzip")]))
        #expect(r.header("Content-Encoding") == "gzip")
        #expect(r.header("Vary") == "Accept-Encoding")
    }

    @Test func inMemoryContentIsServedWithTheSameRules() throws {
        var s = ApplicationSettings()
        s.staticContent = ["app.css": Array("body { color: red }".utf8), "js/app.js": Array("1;".utf8)]
        let h = AppHarness([route("/u", get: { $0.write($0.staticURL("js/app.js")); return .done })], settings: s)
        let r = try #require(h.fetch("/static/app.css"))
        #expect(r.body == "body { color: red }")
        #expect(r.header("Content-Type") == "text/css")
        let url = try #require(h.fetch("/u")?.body)
        #expect(url.hasPrefix("/static/js/app.js?v="))
        #expect(h.fetch(url)?.header("Content-Type") == "text/javascript")
        #expect(h.fetch("/static/../x")?.code == 403)
        #expect(h.fetch("/static/nope.css")?.code == 404)
    }

    /// Ports tornado.md §3 item 29.
    @Test func redirectHandlerFillsGroupsAndAppendsTheQuery() throws {
        let h = AppHarness([
            URLSpec("/src", RedirectHandler.self, arguments: ["url": "/dst2?foo=bar"]),
            URLSpec("/(.*)/(.*)/(.*)", RedirectHandler.self, arguments: ["url": "/{1}/{0}/{2}"]),
            URLSpec("/temp", RedirectHandler.self, arguments: ["url": "/t", "permanent": false]),
        ])
        let r = try #require(h.fetch("/src?foo2=bar2"))
        #expect(r.code == 301); #expect(r.header("Location") == "/dst2?foo=bar&foo2=bar2")
        #expect(h.fetch("/a/b/c")?.header("Location") == "/b/a/c")
        #expect(h.fetch("/temp")?.code == 302)
    }

    @Test func errorHandlerAnswersItsStatusWithoutXsrf() throws {
        var s = ApplicationSettings(); s.xsrfCookies = true
        let h = AppHarness([URLSpec("/gone", ErrorHandler.self, arguments: ["status": 410])], settings: s)
        #expect(h.fetch("/gone")?.code == 410)
        #expect(h.fetch("/gone", method: "POST", body: "")?.code == 410)
    }

    @Test func fallbackHandlerMountsAnyResource() throws {
        let h = AppHarness([URLSpec("/legacy/.*", FallbackHandler.self, arguments: ["fallback": StaticData("twisted says hi")])])
        let r = try #require(h.fetch("/legacy/x"))
        #expect(r.code == 200)
        #expect(r.body == "twisted says hi")
    }
}
