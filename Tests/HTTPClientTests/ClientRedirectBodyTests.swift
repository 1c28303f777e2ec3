import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting

/// Which method and body each redirect status leads to (the Fetch standard's rules, which browsers follow).
@Suite @ReactorActor struct ClientRedirectBodyTests {
    let clock = Clock()

    /// A server that redirects `/from` with `code` to `/to` and answers `/to` with "METHOD body".
    func server(_ code: Int) -> MemoryConnector {
        MemoryConnector { req, _ in
            if req.contains(" /from ") {
                return ("HTTP/1.1 \(code) Moved\r\nLocation: /to\r\nContent-Length: 0\r\n\r\n", false)
            }
            let method = req.split(separator: " ")[0]
            let body = req.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
            return (ok("\(method) \(body)"), false)
        }
    }

    func run(_ agent: RedirectAgent, _ c: MemoryConnector, _ method: String, body: (any BodyProducer)?) throws -> (String, String) {
        let d = agent.request(method, "http://example.com/from", headers: ["Content-Type": "text/plain"], bodyProducer: body)
        c.flush()
        let text = String(buffer: try readBody(try d.get()).get())
        let second = (c.fakeServers.first?.requests.last) ?? ""
        return (text, second)
    }

    @Test(arguments: [307, 308])
    func temporaryAndPermanentRedirectsResendTheMethodAndBody(code: Int) throws {
        for browserLike in [false, true] {
            let c = server(code)
            let a = Agent(connector: c, pool: HTTPConnectionPool(clock: clock))
            let agent = browserLike ? BrowserLikeRedirectAgent(a) : RedirectAgent(a)
            let (text, second) = try run(agent, c, "POST", body: BytesBodyProducer("payload=1"))
            #expect(text == "POST payload=1", "\(code) browserLike=\(browserLike)")
            #expect(second.contains("Content-Length: 9\r\n") && second.contains("Content-Type: text/plain\r\n"))
        }
    }

    @Test func aChunkedBodyIsResentChunkedOn307() throws {
        let c = server(307)
        let (text, second) = try run(RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock))), c, "PUT",
                                     body: BytesBodyProducer("abc", chunked: true))
        #expect(text.hasPrefix("PUT ") && text.contains("abc"))
        #expect(second.contains("Transfer-Encoding: chunked"))
    }

    @Test func seeOtherSwitchesToGetWithoutABody() throws {
        for browserLike in [false, true] {
            let c = server(303)
            let a = Agent(connector: c, pool: HTTPConnectionPool(clock: clock))
            let (text, second) = try run(browserLike ? BrowserLikeRedirectAgent(a) : RedirectAgent(a), c, "POST",
                                         body: BytesBodyProducer("payload=1"))
            #expect(text == "GET ")
            #expect(!second.contains("Content-Length: 9") && !second.contains("Content-Type"))
        }
    }

    @Test(arguments: [301, 302])
    func browserLikeMovedAndFoundTurnAPostIntoAGetButKeepOtherMethods(code: Int) throws {
        let c = server(code)
        let agent = BrowserLikeRedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)))
        #expect(try run(agent, c, "POST", body: BytesBodyProducer("x=1")).0 == "GET ")
        let c2 = server(code)
        let agent2 = BrowserLikeRedirectAgent(Agent(connector: c2, pool: HTTPConnectionPool(clock: clock)))
        #expect(try run(agent2, c2, "PUT", body: BytesBodyProducer("x=1")).0 == "PUT x=1")
    }

    @Test func theStrictAgentStillRefusesAPostOn301() {
        let c = server(301)
        let agent = RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)))
        let d = agent.request("POST", "http://example.com/from", headers: [:], bodyProducer: BytesBodyProducer("x"))
        c.flush()
        #expect((d.error() as? RedirectError)?.kind == .methodNotRedirectable(method: "POST", code: 301))
    }

    /// A producer that can only be read once.
    @ReactorActor final class OneShotProducer: BodyProducer {
        let length: Int? = 3
        func startProducing(_ consumer: any Consumer) -> Deferred<Void> {
            consumer.write(ByteBuffer(string: "abc"))
            return Deferred.succeed(())
        }
        func pauseProducing() {}
        func resumeProducing() {}
        func stopProducing() {}
    }

    @Test func a307WithABodyThatCannotBeReplayedFailsNamingTheProblem() {
        let c = server(307)
        let agent = RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)))
        let d = agent.request("POST", "http://example.com/from", headers: [:], bodyProducer: OneShotProducer())
        c.flush()
        let e = d.error() as? RedirectError
        #expect(e?.kind == .bodyNotReplayable(method: "POST", code: 307))
        #expect(e.map { "\($0)".contains("RewindableBodyProducer") } == true)
    }

    @Test func aGetWithoutABodyIsFollowedOn307() throws {
        let c = server(307)
        let (text, _) = try run(RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock))), c, "GET", body: nil)
        #expect(text == "GET ")
    }
}
