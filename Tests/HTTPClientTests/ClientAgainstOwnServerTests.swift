import Testing
import Foundation
@testable import TwisterHTTPClient
import TwisterWeb

/// A body streamed in three chunks 10 ms apart, finished later (`.notDoneYet`).
@ReactorActor private final class SlowChunks: Resource {
    override var isLeaf: Bool { true }
    override func renderGET(_ request: Request) throws -> RenderResult {
        var n = 0
        func next() {
            n += 1
            request.write("part\(n);")
            if n == 3 { request.finish() } else { Reactor.shared.callLater(0.01) { next() } }
        }
        Reactor.shared.callLater(0.01) { next() }
        return .notDoneYet
    }
}

/// Answers POSTs with the body it received.
@ReactorActor private final class Echo: Resource {
    override var isLeaf: Bool { true }
    override func renderPOST(_ request: Request) throws -> RenderResult { .body(request.content.bytes()) }
}

/// The HTTP client against our own HTTP server, over real sockets on 127.0.0.1: both halves of the stack
/// agree on keep-alive, chunked streaming, request bodies, HEAD, gzip and errors.
@Suite(.serialized, .timeLimit(.minutes(1))) @ReactorActor struct ClientAgainstOwnServerTests {
    private func serve() throws -> (any ListeningPort, String) {
        let root = Resource()
        root.putChild("hello", StaticData("Hello, World!"))
        root.putChild("chunks", SlowChunks())
        root.putChild("echo", Echo())
        root.putChild("gzip", EncodingResourceWrapper(StaticData(String(repeating: "squeeze me ", count: 200))))
        let site = Site(root, clock: Reactor.shared)
        let port = try Reactor.shared.listenTCP(0, site, interface: "127.0.0.1")
        return (port, "http://127.0.0.1:\(port.host.port)")
    }

    @Test func agentReusesOneConnectionAcrossRequestsToOurServer() async throws {
        let (port, base) = try serve()
        defer { _ = port.stopListening() }
        let agent = Agent(reactor: .shared)
        for _ in 0..<5 {
            let r = try await within(5, agent.request("GET", base + "/hello"))
            #expect(r.code == 200)
            #expect(String(buffer: try await within(5, readBody(r))) == "Hello, World!")
        }
        #expect(agent.pool.connectionsOpened == 1)
        agent.pool.closeCachedConnections()
    }

    @Test func chunkedBodyFromOurServerArrivesWholeAndInOrder() async throws {
        let (port, base) = try serve()
        defer { _ = port.stopListening() }
        let agent = Agent(reactor: .shared)
        let r = try await within(5, agent.request("GET", base + "/chunks"))
        #expect(r.length == nil)
        #expect(String(buffer: try await within(5, readBody(r))) == "part1;part2;part3;")
        agent.pool.closeCachedConnections()
    }

    @Test func postBodyHeadAnd404RoundTripThroughOurServer() async throws {
        let (port, base) = try serve()
        defer { _ = port.stopListening() }
        let agent = Agent(reactor: .shared)
        let post = try await within(5, agent.request("POST", base + "/echo", headers: [:], bodyProducer: BytesBodyProducer("ping")))
        #expect(String(buffer: try await within(5, readBody(post))) == "ping")
        let head = try await within(5, agent.request("HEAD", base + "/hello"))
        #expect(head.headers["Content-Length"] == "13")
        #expect(String(buffer: try await within(5, readBody(head))).isEmpty)
        let client = HTTPClient(reactor: .shared)
        do {
            _ = try await client.fetch(base + "/nowhere").value
            Issue.record("expected a 404 HTTPClientError")
        } catch let e as HTTPClientError {
            #expect(e.code == 404)
        }
        let gz = try await client.fetch(base + "/gzip").value
        #expect(gz.text == String(repeating: "squeeze me ", count: 200))
        client.close()
        agent.pool.closeCachedConnections()
    }
}
