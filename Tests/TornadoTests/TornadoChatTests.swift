import Testing
import Foundation
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// An HTTP client over real sockets, with a tiny cookie store per "browser".
@ReactorActor
final class Browser {
    let client: HTTPClient
    var cookies: [String: String] = [:]
    let base: String

    init(port: Int) {
        base = "http://127.0.0.1:\(port)"
        let connector = ReactorAgentConnector(
            connectTCP: { host, port, factory, timeout in Reactor.shared.connectTCP(host: host, port: port, factory: factory, timeout: timeout) },
            connectUNIX: { path, factory, timeout in Reactor.shared.connectUNIX(path, factory, timeout: timeout) })
        client = HTTPClient(connector: connector, clock: Reactor.shared)
    }

    func request(_ path: String, method: String = "GET", form: [(String, String)]? = nil) -> Deferred<FetchResponse> {
        var headers = HTTPHeaders()
        if !cookies.isEmpty { headers.add("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        var body: ByteBuffer?
        if let form {
            headers.add("Content-Type", "application/x-www-form-urlencoded")
            body = ByteBuffer(string: form.map { "\($0.0.urlEncoded)=\($0.1.urlEncoded)" }.joined(separator: "&"))
        }
        var req = FetchRequest(base + path, method: method, headers: headers, body: body)
        req.followRedirects = false
        req.requestTimeout = 10
        return client.fetch(req, raiseError: false).addCallback { r in
            for sc in r.headers.values("Set-Cookie") {
                let pair = sc.split(separator: ";")[0]
                if let eq = pair.firstIndex(of: "=") { self.cookies[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]) }
            }
            return r
        }
    }

    /// Logs in as `name` through the form (XSRF cookie + field), as a browser would.
    func login(_ name: String) async throws {
        let page = try await resultOf(request("/auth/login"))
        #expect(page.code == 200)
        let xsrf = try #require(cookies["_xsrf"])
        let r = try await resultOf(request("/auth/login", method: "POST", form: [("name", name), ("_xsrf", xsrf), ("next", "/")]))
        #expect(r.code == 302)
        #expect(r.headers["Location"] == "/")
        #expect(cookies["chatdemo_user"] != nil)
    }
}

/// The chat demo end to end, and the Application over real sockets.
@Suite(.serialized) @ReactorActor struct TornadoChatTests {
    /// Starts `twister chat` on an ephemeral loopback port; nil (with the issue recorded) when the executable is
    /// missing or never says where it listens. The caller kills the process when done.
    func startChat(_ extra: String...) async throws -> (ProcessRecorder, ProcessTransport, Int)? {
        guard let exe = ProcessRecorder.siblingExecutable("twister") else {
            Issue.record("twister executable not built"); return nil
        }
        let child = ProcessRecorder()
        let process = try Reactor.shared.spawnProcess(
            child, exe, args: ["twister", "chat"] + extra + ["--listen", "tcp:0:interface=127.0.0.1"])
        guard let port = try await child.listeningPort() else {
            try? process.signalProcess(SIGKILL)
            Issue.record("no listening line: \(child.out) \(child.err)"); return nil
        }
        return (child, process, port)
    }

    @Test(.timeLimit(.minutes(1))) func twoClientsLogInOnePostsAndTheOtherReceivesItThroughItsLongPoll() async throws {
        guard let (child, process, port) = try await startChat() else { return }
        defer { try? process.signalProcess(SIGKILL) }
        let ann = Browser(port: port), bob = Browser(port: port)

        // Unauthenticated: / redirects to the login page; the POSTs answer 403.
        let anon = try await resultOf(ann.request("/"))
        #expect(anon.code == 302)
        #expect(anon.headers["Location"] == "/auth/login?next=%2F")
        try await ann.login("Ann")
        try await bob.login("Bob")
        let anonPost = Browser(port: port)
        _ = try await resultOf(anonPost.request("/auth/login"))
        let xsrfAnon = try #require(anonPost.cookies["_xsrf"])
        #expect(try await resultOf(anonPost.request("/a/message/new", method: "POST", form: [("body", "x"), ("_xsrf", xsrfAnon)])).code == 403)

        // The page renders with static URLs carrying versions.
        let page = try await resultOf(bob.request("/"))
        #expect(page.code == 200)
        #expect(page.text.contains("<b>Bob</b>"))
        let cssURL = try #require(page.text.range(of: #"/static/chat\.css\?v=[0-9a-f]{128}"#, options: .regularExpression).map { String(page.text[$0]) })
        let css = try await resultOf(bob.request(cssURL))
        #expect(css.code == 200)
        #expect(css.headers["Cache-Control"] == "max-age=315360000")

        // A POST without the XSRF field is refused.
        #expect(try await resultOf(ann.request("/a/message/new", method: "POST", form: [("body", "no token")])).code == 403)

        // Bob waits (no messages yet: the long poll parks); Ann posts; Bob's poll answers with the message.
        let poll = bob.request("/a/message/updates", method: "POST", form: [("_xsrf", bob.cookies["_xsrf"]!)])
        let pollDelay = Deferred<Void>()
        Reactor.shared.callLater(0.2) { pollDelay.callback(()) }
        try await pollDelay.value
        #expect(!poll.hasResult)
        let posted = try await resultOf(ann.request("/a/message/new", method: "POST",
                                                        form: [("body", "Hello <Bob>"), ("_xsrf", ann.cookies["_xsrf"]!)]))
        #expect(posted.code == 200)
        #expect(posted.headers["Content-Type"] == "application/json; charset=UTF-8")
        let message = try JSONSerialization.jsonObject(with: Foundation.Data(posted.body.readableBytesView)) as? [String: String]
        #expect(Set(message?.keys.map { $0 } ?? []) == ["id", "body", "html"])
        #expect(message?["body"] == "Hello <Bob>")
        #expect(message?["html"]?.contains("<b>Ann: </b>Hello &lt;Bob&gt;") == true)
        let update = try await resultOf(poll)
        #expect(update.code == 200)
        let updates = try JSONSerialization.jsonObject(with: Foundation.Data(update.body.readableBytesView)) as? [String: [[String: String]]]
        #expect(updates?["messages"]?.map { $0["id"] } == [message?["id"]])

        // With the cursor at the latest message, a new poll waits again; the page now lists the message.
        let cursor = try #require(message?["id"])
        let poll2 = bob.request("/a/message/updates", method: "POST", form: [("_xsrf", bob.cookies["_xsrf"]!), ("cursor", cursor)])
        let d2 = Deferred<Void>()
        Reactor.shared.callLater(0.2) { d2.callback(()) }
        try await d2.value
        #expect(!poll2.hasResult)
        _ = try await resultOf(ann.request("/a/message/new", method: "POST", form: [("body", "second"), ("_xsrf", ann.cookies["_xsrf"]!)]))
        let update2 = try await resultOf(poll2)
        #expect(update2.text.contains("second"))
        #expect(!update2.text.contains("Hello"))
        #expect(try await resultOf(bob.request("/")).text.contains("Hello &lt;Bob&gt;"))

        try process.signalProcess(SIGINT)
        _ = try? await resultOf(child.ended, timeout: 5)
    }

    @Test(.timeLimit(.minutes(1)),
          .enabled(if: TestDependency.required(TestDependency.node != nil), "needs node; .ci/run installs nodejs"))
    func theChatPageScriptReceivesMessagesInASimulatedBrowser() async throws {
        let node = try #require(TestDependency.node, "node is not installed (.ci/run installs nodejs)")
        guard let (_, process, port) = try await startChat("--quiet") else { return }
        defer { try? process.signalProcess(SIGKILL) }
        let script = NSTemporaryDirectory() + "twister-chat-browser-\(port).mjs"
        try TornadoChatBrowserScript.source.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let browser = ProcessRecorder()
        let nodeProcess = try Reactor.shared.spawnProcess(browser, node, args: ["node", script, "http://127.0.0.1:\(port)"])
        defer { try? nodeProcess.signalProcess(SIGKILL) }
        _ = try await resultOf(browser.ended, timeout: 50)
        #expect(String(buffer: browser.out).contains("BROWSER OK"), "\(String(buffer: browser.out)) \(String(buffer: browser.err))")
    }

    /// The `twister chat` demo itself: a long-poll client that goes away has its waiter dropped (reported on
    /// standard error), while the other waiter still gets the next message.
    @Test(.timeLimit(.minutes(1))) func theChatDemoDropsALongPollWaiterWhoseClientWentAway() async throws {
        guard let (child, process, port) = try await startChat() else { return }
        defer { try? process.signalProcess(SIGKILL) }
        let ann = Browser(port: port), bob = Browser(port: port), cat = Browser(port: port)
        try await ann.login("Ann")
        try await bob.login("Bob")
        try await cat.login("Cat")
        let annPoll = ann.request("/a/message/updates", method: "POST", form: [("_xsrf", ann.cookies["_xsrf"]!)])
        let bobPoll = bob.request("/a/message/updates", method: "POST", form: [("_xsrf", bob.cookies["_xsrf"]!)])
        let parked = Deferred<Void>()
        Reactor.shared.callLater(0.3) { parked.callback(()) }
        try await parked.value
        #expect(!annPoll.hasResult && !bobPoll.hasResult)
        #expect(!String(buffer: child.err).contains("dropped a waiter"))

        // Bob's browser goes away mid-poll: the server drops exactly that waiter.
        bob.client.close()
        bobPoll.cancel()
        #expect(try await eventually(timeout: 10) {
            String(buffer: child.err).contains("chat: dropped a waiter whose client went away (1 waiting)")
        }, "\(String(buffer: child.err))")

        // Ann's waiter is still parked and gets the next message; nothing fires for Bob's.
        let posted = try await resultOf(cat.request("/a/message/new", method: "POST", form: [("body", "still here?"), ("_xsrf", cat.cookies["_xsrf"]!)]))
        #expect(posted.code == 200)
        let update = try await resultOf(annPoll)
        #expect(update.code == 200)
        #expect(update.text.contains("still here?"))
        #expect(String(buffer: child.err).components(separatedBy: "dropped a waiter").count == 2)  // exactly one drop

        try process.signalProcess(SIGINT)
        _ = try? await resultOf(child.ended, timeout: 5)
    }

    @Test(.timeLimit(.minutes(1))) func aWaiterWhoseClientGoesAwayIsDropped() async throws {
        // In process: a long-poll handler parks a waiter; the client disconnects; the waiter is removed.
        final class Poll: RequestHandler {
            nonisolated(unsafe) static var waiters: [Deferred<Void>] = []
            nonisolated(unsafe) static var closed = 0
            var mine: Deferred<Void>?
            override func get() throws -> HandlerResult {
                let d = Deferred<Void>()
                mine = d
                Self.waiters.append(d)
                return .deferred(d)
            }
            override func onConnectionClose() {
                Self.closed += 1
                Self.waiters.removeAll { $0.isSame(mine!) }
            }
        }
        let app = Application([URLSpec("/poll", Poll.self)])
        let port = try Reactor.shared.listenTCP(0, app.makeSite(), interface: "127.0.0.1")
        defer { _ = port.stopListening() }
        let b = Browser(port: port.host.port)
        let d = b.request("/poll")
        #expect(try await eventually { Poll.waiters.count == 1 })
        b.client.close()
        d.cancel()
        #expect(try await eventually { Poll.closed == 1 && Poll.waiters.isEmpty })
    }

    @Test(.timeLimit(.minutes(1))) func anApplicationServesSyncDeferredAndAsyncHandlersOverRealSockets() async throws {
        final class Hello: RequestHandler {
            override func get() throws -> HandlerResult { write("Hello, World!"); return .done }
        }
        final class AsyncHello: RequestHandler {
            override func get() throws -> HandlerResult {
                .async {
                    let d = Deferred<Void>()
                    Reactor.shared.callLater(0) { d.callback(()) }
                    try await d.value
                    self.write("async hello")
                }
            }
        }
        let app = Application([URLSpec("/", Hello.self), URLSpec("/async", AsyncHello.self)])
        let port = try await resultOf(try app.listen("tcp:0:interface=127.0.0.1"))
        defer { _ = port.stopListening() }
        let b = Browser(port: port.host.port)
        for _ in 0..<3 {
            let r = try await resultOf(b.request("/"))
            #expect(r.code == 200)
            #expect(r.text == "Hello, World!")
            #expect(r.headers["Content-Length"] == "13")
            #expect(try await resultOf(b.request("/async")).text == "async hello")
        }
        let missing = try await resultOf(b.request("/missing"))
        #expect(missing.code == 404)
        #expect(missing.text == "<html><title>404: Not Found</title><body>404: Not Found</body></html>")
        b.client.close()
    }
}
