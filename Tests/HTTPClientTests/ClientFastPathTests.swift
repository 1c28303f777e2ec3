import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting

/// The client's shortcuts for the common request (no headers of the caller's, no body, a small response read in
/// one go) behave exactly as the general path.
@Suite @ReactorActor struct ClientFastPathTests {
    let clock = Clock()

    func makeAgent(_ connector: MemoryConnector) -> Agent {
        Agent(connector: connector, pool: HTTPConnectionPool(clock: clock))
    }

    @Test func aRequestWithoutHeadersWritesTheSameHeadAsTheGeneralPathForEachMethod() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        for (method, headers) in [("GET", HTTPHeaders()), ("GET", HTTPHeaders()), ("POST", HTTPHeaders()),
                                  ("GET", ["Accept": "*/*"]), ("GET", HTTPHeaders())] {
            let d = agent.request(method, "http://example.com:8080/p?q=1", headers: headers)
            c.flush()
            #expect(String(buffer: try readBody(try d.get()).get()) == "x")
        }
        #expect(c.fakeServers.count == 1)
        #expect(c.fakeServers[0].requests == [
            "GET /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
            "GET /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
            "POST /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 0\r\n\r\n",
            "GET /p?q=1 HTTP/1.1\r\nAccept: */*\r\nHost: example.com:8080\r\n\r\n",
            "GET /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
        ])
    }

    @Test func aBadMethodIsRefusedEvenAfterTheSameURLWasRequestedWithAGoodOne() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        _ = try d.get()
        #expect(agent.request("GE T", "http://example.com/").error() is ClientRequestError)
        #expect(agent.request("GET\r\n", "http://example.com/").error() is ClientRequestError)
    }

    @Test func theResponseRequestCarriesHostForARequestWithoutHeaders() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/a")
        c.flush()
        let r = try d.get()
        #expect(r.request?.headers == ["Host": "example.com"])
        #expect(r.request?.method == "GET" && r.request?.target == "/a")
    }

    @Test func readBodyOfAResponseReadWholeFiresAtOnceAndTheBodyCountsAsDelivered() throws {
        let c = MemoryConnector { _, _ in (ok("hello"), false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        let r = try d.get()
        // The head and body came in one read: the Deferred fired after both were parsed.
        #expect(r.bodyFinished)
        #expect(String(buffer: try readBody(r).get()) == "hello")
        let again = RecordingBodyProtocol()
        r.deliverBody(again)
        #expect(again.reason?.value(as: ResponseFailed.self)?.reasons.first is BodyAlreadyDelivered)
        #expect(agent.pool.idleCount(ConnectionKey(scheme: "http", host: "example.com", port: 80)) == 1)
    }

    @Test func readBodyOfAnEmptyResponseReadWholeIsEmpty() throws {
        let c = MemoryConnector { _, _ in (ok(""), false) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        #expect(try readBody(try d.get()).get().isEmpty)
    }

    @Test func aResponseReadWholeButCutByCloseStillFailsReadBodyWithPartialDownload() throws {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\n\r\nabc", true) }
        let agent = makeAgent(c)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        let e = readBody(try d.get()).error()
        #expect((e as? PartialDownloadError).map { String(buffer: $0.body) } == "abc")
    }

    @Test func theIdleListSurvivesCloseCachedConnections() throws {
        let c = MemoryConnector { _, _ in (ok("x"), false) }
        let agent = makeAgent(c)
        let key = ConnectionKey(scheme: "http", host: "example.com", port: 80)
        for round in 1...2 {
            let d = agent.request("GET", "http://example.com/")
            c.flush()
            _ = try readBody(try d.get()).get()
            #expect(agent.pool.idleCount(key) == 1)
            #expect(agent.pool.connectionsOpened == round)
            agent.pool.closeCachedConnections()
            c.flush()
            #expect(agent.pool.idleCount(key) == 0)
        }
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        _ = try readBody(try d.get()).get()
        #expect(agent.pool.connectionsOpened == 3)
        #expect(agent.pool.takeIdle(key) != nil)
    }
}

/// A parser reused for the next response on its connection (heads repeated, partly repeated or changed) returns
/// what parsing afresh would. (The parser once cached the previous head's bytes and field Strings; these tests
/// held it to that and still hold the plain parser.)
@Suite struct ClientParserRepeatedHeadTests {
    func head(_ p: inout HTTPResponseParser, _ reply: String) throws -> HTTPHeaders? {
        p.reset(requestMethod: "GET")
        p.feed(ByteBuffer(string: reply))
        var headers: HTTPHeaders?
        while let ev = try p.next() {
            if case .head(let h, _) = ev { headers = h.headers }
        }
        return headers
    }

    @Test func fieldsAtTheSamePositionAreReturnedAsSentWhetherOrNotTheyRepeat() throws {
        var p = HTTPResponseParser()
        let replies: [(String, [(String, String)])] = [
            ("Server: nginx\r\nDate: Fri, 27 Nov 2026 03:00:00 GMT\r\nX-A: one", [("Server", "nginx"), ("Date", "Fri, 27 Nov 2026 03:00:00 GMT"), ("X-A", "one")]),
            ("Server: nginx\r\nDate: Fri, 27 Nov 2026 03:00:00 GMT\r\nX-A: one", [("Server", "nginx"), ("Date", "Fri, 27 Nov 2026 03:00:00 GMT"), ("X-A", "one")]),
            ("server: nginx\r\nDate:  Fri, 27 Nov 2026 03:00:01 GMT \r\nX-A: on", [("server", "nginx"), ("Date", "Fri, 27 Nov 2026 03:00:01 GMT"), ("X-A", "on")]),
            ("X-A: one\r\nserver: nginx", [("X-A", "one"), ("server", "nginx")]),
            ("X-A: one\r\n  two\r\nserver:", [("X-A", "one two"), ("server", "")]),
            ("X-A: one two\r\nserver: nginx\r\nX-B: b", [("X-A", "one two"), ("server", "nginx"), ("X-B", "b")]),
        ]
        for (fields, expected) in replies {
            let h = try head(&p, "HTTP/1.1 200 OK\r\n\(fields)\r\nContent-Length: 0\r\n\r\n")
            #expect(h == HTTPHeaders(expected + [("Content-Length", "0")]), "\(fields)")
            #expect(h?.fields.map(\.name) == expected.map(\.0) + ["Content-Length"], "\(fields)")
        }
    }

    @Test func aBadValueAfterAGoodOneAtTheSamePositionStillFails() throws {
        var p = HTTPResponseParser()
        _ = try head(&p, "HTTP/1.1 200 OK\r\nX-A: one\r\nContent-Length: 0\r\n\r\n")
        #expect(throws: HTTPResponseParseError.self) {
            _ = try head(&p, "HTTP/1.1 200 OK\r\nX-A: o\u{1}e\r\nContent-Length: 0\r\n\r\n")
        }
    }

    func parse(_ p: inout HTTPResponseParser, _ pieces: [String], method: String = "GET") throws -> (HTTPResponseParser.Head?, HTTPResponseParser.Framing?, String, Bool) {
        p.reset(requestMethod: method)
        var head: HTTPResponseParser.Head?
        var framing: HTTPResponseParser.Framing?
        var body = ""
        var ended = false
        for piece in pieces {
            p.feed(ByteBuffer(string: piece))
            while let ev = try p.next() {
                switch ev {
                case .head(let h, let f): head = h; framing = f
                case .body(let b): body += String(buffer: b)
                case .end: ended = true
                case .informational: break
                }
            }
        }
        return (head, framing, body, ended)
    }

    @Test func aHeadWithTheSameBytesAsThePreviousOneParsesTheSame() throws {
        var p = HTTPResponseParser()
        let reply = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
        for _ in 0..<3 {
            let (h, f, body, ended) = try parse(&p, [reply])
            #expect(h?.code == 200 && h?.reason == "OK" && h?.minor == 1)
            #expect(h?.headers == ["Server": "x", "Content-Length": "3", "Connection": "close"])
            #expect(f == .length(3) && body == "abc" && ended)
            #expect(p.connectionClose && !p.connectionKeepAlive)
        }
        // The same head bytes answering HEAD: no body, whatever Content-Length says.
        let (_, f, body, ended) = try parse(&p, ["HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"], method: "HEAD")
        #expect(f == HTTPResponseParser.Framing.none && body == "" && ended)
    }

    @Test func aHeadDifferingFromThePreviousOneIsParsedAfresh() throws {
        var p = HTTPResponseParser()
        _ = try parse(&p, ["HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"])
        let cases: [(String, HTTPResponseParser.Framing, String, Bool)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd", .length(4), "abcd", true),
            ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\nX: y\r\n\r\nabc", .length(3), "abc", true),
            ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc", .length(3), "abc", false),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n", .chunked, "z", false),
        ]
        for (reply, framing, body, close) in cases {
            let (_, f, b, ended) = try parse(&p, [reply])
            #expect(f == framing && b == body && ended, "\(reply)")
            #expect(p.connectionClose == close, "\(reply)")
        }
    }

    @Test func aHeadSplitAcrossReadsOrAfterAnInterimResponseIsStillRight() throws {
        var p = HTTPResponseParser()
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
        var r = try parse(&p, [String(head.prefix(20)), String(head.dropFirst(20)) + "ok"])
        #expect(r.1 == .length(2) && r.2 == "ok" && r.3)
        r = try parse(&p, [head + "ok"])
        #expect(r.1 == .length(2) && r.2 == "ok" && r.3)
        r = try parse(&p, ["HTTP/1.1 100 Continue\r\n\r\n" + head + "ok"])
        #expect(r.1 == .length(2) && r.2 == "ok" && r.3)
        r = try parse(&p, [String(head.prefix(10)), String(head.dropFirst(10)) + "ok"])
        #expect(r.1 == .length(2) && r.2 == "ok" && r.3)
        #expect(r.0?.headers == ["Content-Length": "2"])
    }

    @Test func aBrokenHeadAfterACachedOneStillFails() throws {
        var p = HTTPResponseParser()
        _ = try parse(&p, ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"])
        #expect(throws: HTTPResponseParseError.self) {
            _ = try parse(&p, ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBad Name: x\r\n\r\nok"])
        }
    }
}

