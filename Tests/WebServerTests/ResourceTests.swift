import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// Resource traversal and rendering (twisted-core-web.md §2.2 items 1-15).
@Suite("Resources") @ReactorActor
struct ResourceTests {
    final class Named: Resource {
        let name: String
        init(_ name: String) { self.name = name; super.init() }
        override func renderGET(_ request: Request) throws -> RenderResult { .text("\(name) pre=\(request.prepath) post=\(request.postpath)") }
    }
    final class Leaf: Resource {
        override var isLeaf: Bool { true }
        override func renderGET(_ request: Request) throws -> RenderResult { .text("leaf pre=\(request.prepath) post=\(request.postpath)") }
    }
    final class Dynamic: Resource {
        override func getChild(_ path: String, _ request: Request) -> Resource { Named("dyn-\(path)") }
    }

    func get(_ root: Resource, _ path: String, method: String = "GET") -> String {
        let h = SiteHarness(root)
        h.send("\(method) \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        return h.take()
    }

    func body(_ out: String) -> String { String(out[out.range(of: "\r\n\r\n")!.upperBound...]) }

    // Item 1
    @Test func staticChildrenAreFoundFirstWithAFallbackToGetChild() {
        let root = Dynamic()
        root.putChild("static", Named("static"))
        #expect(body(get(root, "/static")).hasPrefix("static"))
        #expect(body(get(root, "/other")).hasPrefix("dyn-other"))
        let r = Request()
        #expect(root.getChildWithDefault("static", r) === root.children["static"])
    }

    // Item 2: Swift's type system makes a non-string path impossible; the segment is stored as given.
    @Test func putChildStoresTheChildUnderItsSegment() {
        let root = Resource()
        let c = Named("c")
        root.putChild("a b", c)
        #expect(root.children["a b"] === c)
        #expect(body(get(root, "/a%20b")).hasPrefix("c"))
    }

    // Item 3
    @Test func traversalStopsWhenPostpathIsEmptyOrAtALeaf() {
        let root = Resource()
        let a = Named("a")
        root.putChild("a", a)
        a.putChild("leaf", Leaf())
        #expect(body(get(root, "/a")) == "a pre=[\"a\"] post=[]")
        #expect(body(get(root, "/a/leaf/x/y")) == "leaf pre=[\"a\", \"leaf\"] post=[\"x\", \"y\"]")
    }

    // Item 4
    @Test func segmentsMoveFromPostpathToPrepath() {
        let r = Request(uri: "/a/b/c")
        r.postpath = URLCoding.pathSegments(r.path)
        let root = Resource()
        let a = Resource(); root.putChild("a", a)
        let b = Leaf(); a.putChild("b", b)
        #expect(root.childForRequest(r) === b)
        #expect(r.prepath == ["a", "b"])
        #expect(r.postpath == ["c"])
    }

    @Test func absoluteFormTargetsAreTraversedByTheirPath() {
        let root = Resource()
        let a = Named("a")
        root.putChild("a", a)
        #expect(body(get(root, "http://example.com/a?x=1")) == "a pre=[\"a\"] post=[]")
        #expect(Request(uri: "https://h:8443").path == "/")
    }

    // Item 5
    @Test func slashMapsToTheRootsEmptyChild() {
        let root = Resource()
        root.putChild("", StaticData("home"))
        #expect(body(get(root, "/")) == "home")
        #expect(get(root, "/nothing").hasPrefix("HTTP/1.1 404 Not Found"))
    }

    // Items 6, 11
    @Test func headFallsBackToGetWithNoBodyAndTheBodyLength() {
        let out = get(StaticData("hello"), "/", method: "HEAD")
        #expect(out.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(out.contains("Content-Length: 5\r\n"))
        #expect(out.hasSuffix("\r\n\r\n"))
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        hold.held[0].write("streamed body")
        hold.held[0].finish()
        let o2 = h.take()
        #expect(!o2.contains("Content-Length") && !o2.contains("chunked") && o2.hasSuffix("\r\n\r\n"))
        #expect(!h.transport.disconnecting)
    }

    // Items 7, 8
    @Test func unsupportedPostGets405WithTheAllowHeader() {
        let out = get(StaticData("x"), "/", method: "POST")
        #expect(out.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(out.contains("Allow: GET, HEAD\r\n"))
        final class Explicit: Resource {
            override var isLeaf: Bool { true }
            override var allowedMethods: [String] { ["GET", "PUT"] }
            override func renderGET(_ request: Request) throws -> RenderResult { "g" }
        }
        #expect(get(Explicit(), "/", method: "DELETE").contains("Allow: GET, PUT\r\n"))
    }

    // Item 9 (decision: 405 for a known method, 501 for an unknown one, CONNECT included)
    @Test func connectOrAGibberishMethodGets501() {
        #expect(get(StaticData("x"), "/", method: "CONNECT").hasPrefix("HTTP/1.1 501 Not Implemented"))
        #expect(get(StaticData("x"), "/", method: "BLAHBLAH").hasPrefix("HTTP/1.1 501 Not Implemented"))
        #expect(get(StaticData("x"), "/", method: "PUT").hasPrefix("HTTP/1.1 405"))
        #expect(get(StaticData("x"), "/", method: "get").hasPrefix("HTTP/1.1 501"), "methods are case-sensitive")
    }

    // Item 10
    @Test func the405And501PagesEscapeTheURIAndMethod() {
        let o1 = get(StaticData("x"), "/<script>", method: "POST")
        #expect(o1.contains("&lt;script&gt;") && !o1.contains("<script>"))
        let o2 = get(StaticData("x"), "/<b>", method: "FOO<")
        #expect(SiteHarness.statuses(o2) == [400], "< is not a token character")
        let o3 = get(StaticData("x"), "/\"'&", method: "FOO")
        #expect(o3.contains("&quot;&#x27;&amp;"))
    }

    // Item 12
    @Test func aRenderThatThrowsGives500() {
        final class Boom: Resource {
            override var isLeaf: Bool { true }
            struct E: Error {}
            override func renderGET(_ request: Request) throws -> RenderResult { throw E() }
        }
        #expect(get(Boom(), "/").hasPrefix("HTTP/1.1 500 Internal Server Error"))
    }

    @Test func anErrorAfterTheHeadWasSentTruncatesTheResponseAndCloses() {
        var sink: [String] = []
        let old = HTTPLog.handler
        HTTPLog.handler = { sink.append($0) }
        defer { HTTPLog.handler = old }
        final class Half: Resource {
            let d = Deferred<ByteBuffer>()
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                request.write("partial")
                return .deferred(d)
            }
        }
        let r = Half()
        let h = SiteHarness(r)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        r.d.errback(ResourceError(500, "boom"))
        let out = h.take()
        #expect(out.hasSuffix("7\r\npartial\r\n"), "no last chunk")
        #expect(h.transport.disconnecting)
        #expect(sink.count == 1)
    }

    // Item 13
    @Test func errorDetailIsHiddenByDefaultAndShownEscapedWithDisplayTracebacks() {
        struct Secret: Error, CustomStringConvertible { var description: String { "<secret>" } }
        final class Boom: Resource {
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult { throw Secret() }
        }
        let h = SiteHarness(Boom())
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(!h.take().contains("secret"))
        let h2 = SiteHarness(Boom())
        h2.site.displayTracebacks = true
        h2.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let o = h2.take()
        #expect(o.contains("&lt;secret&gt;") && !o.contains("<secret>"))
    }

    // Item 14
    @Test func optionsStarGets200AndOtherMethodsOnStarGet405() {
        let h = SiteHarness(StaticData("x"))
        h.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\nGET * HTTP/1.1\r\nHost: x\r\n\r\n")
        let out = h.take()
        #expect(SiteHarness.statuses(out) == [200, 405])
        #expect(out.contains("Allow: OPTIONS\r\n"))
        #expect(out.hasPrefix("HTTP/1.1 200 OK\r\nServer: Twister\r\nContent-Length: 0\r\n\r\n"))
    }

    // Item 15
    @Test func noDefaultContentTypeForEmptyOr204Responses() {
        final class Empty: Resource {
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult { "" }
        }
        let out = get(Empty(), "/")
        #expect(!out.contains("Content-Type"))
        #expect(out.contains("Content-Length: 0"))
    }

    @Test func deferredAndNotDoneYetAndAsyncHandlersAllWork() async throws {
        final class Later: Resource {
            var pending: Deferred<ByteBuffer>?
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                let d = Deferred<ByteBuffer>()
                pending = d
                return .deferred(d)
            }
        }
        let later = Later()
        let h = SiteHarness(later)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(h.take() == "")
        later.pending!.callback("later")
        #expect(body(h.take()) == "later")

        let failing = Later()
        let hf = SiteHarness(failing)
        hf.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        failing.pending!.errback(ResourceError(403, "nope"))
        #expect(hf.take().hasPrefix("HTTP/1.1 403 Forbidden"))

        final class AsyncOne: Resource {
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                .async {
                    try await Task.sleep(nanoseconds: 1_000_000)
                    return "async body"
                }
            }
        }
        let ha = SiteHarness(AsyncOne())
        ha.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in 0..<200 where ha.transport.written.isEmpty { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(body(ha.take()) == "async body")
    }

    @Test func redirectToSets302LocationAndAnEscapedPage() {
        let out = get(Redirect("http://example.com/?a=1&b=\"2\""), "/")
        #expect(out.hasPrefix("HTTP/1.1 302 Found\r\n"))
        #expect(out.contains("Location: http://example.com/?a=1&b=\"2\"\r\n"))
        #expect(out.contains("URL=http://example.com/?a=1&amp;b=&quot;2&quot;"))
    }

    @Test func nameVirtualHostPicksTheResourceByHost() {
        let v = NameVirtualHost()
        let a = Resource(); a.putChild("", StaticData("site a")); a.putChild("x", StaticData("a/x"))
        v.addHost("a.example", a)
        v.addHost("b.example", StaticData("site b"))
        func fetch(_ host: String, _ path: String) -> String {
            let h = SiteHarness(v)
            h.send("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            return h.take()
        }
        #expect(body(fetch("a.example", "/")) == "site a")
        #expect(body(fetch("A.Example:8080", "/x")) == "a/x")
        #expect(body(fetch("b.example", "/anything")) == "site b")
        #expect(fetch("c.example", "/").hasPrefix("HTTP/1.1 404"))
        v.defaultResource = StaticData("default")
        #expect(body(fetch("c.example", "/")) == "default")
    }
}

/// Protocol switching (the hook a WebSocket resource uses) and DeferredResource.
@Suite("Resources: upgrade and deferred") @ReactorActor
struct ResourceUpgradeTests {
    final class Upper: Protocol {
        var lost: Failure?
        override func dataReceived(_ data: ByteBuffer) { transport?.write(String(buffer: data).uppercased()) }
        override func connectionLost(_ reason: Failure) { lost = reason }
    }
    final class Upgrading: Resource {
        let proto = Upper()
        override var isLeaf: Bool { true }
        override func renderGET(_ request: Request) throws -> RenderResult {
            guard request.getHeader("Upgrade") == "upper" else { throw ResourceError(400, "upgrade required") }
            request.setHeader("Upgrade", "upper")
            request.setHeader("Connection", "Upgrade")
            request.switchProtocols(to: proto)
            return .notDoneYet
        }
    }

    @Test func switchProtocolsAnswers101AndHandsTheConnectionOver() {
        let r = Upgrading()
        let h = SiteHarness(r)
        h.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: upper\r\nConnection: Upgrade\r\n\r\nearly bytes")
        let out = h.take()
        #expect(out.hasPrefix("HTTP/1.1 101 Switching Protocols\r\nUpgrade: upper\r\nConnection: Upgrade\r\nServer: Twister\r\n\r\n"))
        #expect(out.hasSuffix("EARLY BYTES"))
        #expect(!out.contains("Content-Type"))
        h.send("GET / HTTP/1.1\r\n")
        #expect(h.take() == "GET / HTTP/1.1\r\n")
        h.clock.advance(1000)
        #expect(!h.transport.disconnecting, "HTTP timeouts no longer apply")
        h.transport.finishLoss(.done)
        #expect(r.proto.lost != nil)
    }

    @Test func deferredResourceRendersTheResourceItGets() {
        let d = Deferred<Resource>()
        let root = Resource()
        root.putChild("later", DeferredResource(d))
        let h = SiteHarness(root)
        h.send("GET /later/x HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(h.take() == "")
        let target = Resource()
        target.putChild("x", StaticData("found x"))
        d.callback(target)
        #expect(h.take().hasSuffix("found x"))
    }
}
