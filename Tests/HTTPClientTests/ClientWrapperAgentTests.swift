import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting
import CZlib

/// Compresses with zlib: windowBits 31 = gzip, 15 = zlib ("deflate"), -15 = raw deflate.
func compress(_ s: String, windowBits: Int32) -> [UInt8] {
    var stream = z_stream()
    deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    var input = Array(s.utf8)
    var out = [UInt8](repeating: 0, count: input.count + 1024)
    let produced: Int = input.withUnsafeMutableBufferPointer { inp in
        out.withUnsafeMutableBufferPointer { o in
            stream.next_in = inp.baseAddress
            stream.avail_in = UInt32(inp.count)
            stream.next_out = o.baseAddress
            stream.avail_out = UInt32(o.count)
            deflate(&stream, Z_FINISH)
            return o.count - Int(stream.avail_out)
        }
    }
    deflateEnd(&stream)
    return Array(out.prefix(produced))
}

func rawReply(_ head: String, _ body: [UInt8]) -> ByteBuffer {
    var b = ByteBuffer(string: head + "Content-Length: \(body.count)\r\n\r\n")
    b.writeBytes(body)
    return b
}

/// A connector whose servers answer with raw bytes.
@ReactorActor
final class BytesServer: Protocol {
    let reply: (String) -> ByteBuffer
    var requests: [String] = []
    init(_ reply: @escaping (String) -> ByteBuffer) { self.reply = reply }
    override func dataReceived(_ data: ByteBuffer) {
        let s = String(buffer: data)
        requests.append(s)
        transport?.write(reply(s))
    }
}

@Suite @ReactorActor struct ClientWrapperAgentTests {
    let clock = Clock()

    @Test func redirectIsFollowedAndRelativeLocationResolved() throws {
        let c = MemoryConnector { req, _ in
            if req.hasPrefix("GET /a/start ") { return ("HTTP/1.1 302 Found\r\nLocation: ../b/end?x=1\r\nContent-Length: 5\r\n\r\nmoved", false) }
            return (ok("final:" + req.split(separator: " ")[1]), false)
        }
        let pool = HTTPConnectionPool(clock: clock)
        let agent = RedirectAgent(Agent(connector: c, pool: pool))
        let d = agent.request("GET", "http://example.com/a/start")
        c.flush()
        let r = try d.get()
        #expect(String(buffer: try readBody(r).get()) == "final:/b/end?x=1")
        #expect(r.previousResponse?.code == 302)
        #expect(r.url == "http://example.com/b/end?x=1")
        #expect(pool.connectionsOpened == 1)  // the redirect body was drained, so its connection was reused
    }

    @Test func seeOtherBecomesGetAndPostIsNotRedirectedOn302() throws {
        let c = MemoryConnector { req, _ in
            if req.hasPrefix("POST /303") { return ("HTTP/1.1 303 See Other\r\nLocation: /done\r\nContent-Length: 0\r\n\r\n", false) }
            if req.hasPrefix("POST /302") { return ("HTTP/1.1 302 Found\r\nLocation: /done\r\nContent-Length: 0\r\n\r\n", false) }
            return (ok(String(req.split(separator: " ")[0])), false)
        }
        let agent = RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)))
        let d = agent.request("POST", "http://example.com/303", headers: [:], bodyProducer: BytesBodyProducer("x"))
        c.flush()
        #expect(String(buffer: try readBody(try d.get()).get()) == "GET")
        let d2 = agent.request("POST", "http://example.com/302", headers: [:], bodyProducer: BytesBodyProducer("x"))
        c.flush()
        let e = d2.error() as? RedirectError
        #expect(e?.kind == .methodNotRedirectable(method: "POST", code: 302))
    }

    @Test func browserLikeRedirectTurnsPostIntoGet() throws {
        let c = MemoryConnector { req, _ in
            if req.hasPrefix("POST /") { return ("HTTP/1.1 301 Moved\r\nLocation: /done\r\nContent-Length: 0\r\n\r\n", false) }
            return (ok(String(req.split(separator: " ")[0])), false)
        }
        let agent = BrowserLikeRedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)))
        let d = agent.request("POST", "http://example.com/", headers: [:], bodyProducer: BytesBodyProducer("x"))
        c.flush()
        #expect(String(buffer: try readBody(try d.get()).get()) == "GET")
    }

    @Test func redirectLoopStopsAtTheLimit() throws {
        let c = MemoryConnector { _, n in ("HTTP/1.1 302 Found\r\nLocation: /loop\(n)\r\nContent-Length: 0\r\n\r\n", false) }
        let agent = RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)), redirectLimit: 3)
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        let e = d.error() as? RedirectError
        #expect(e?.kind == .tooManyRedirects(limit: 3))
        #expect(c.fakeServers[0].requests.count == 4)
    }

    @Test func redirectWithoutLocationFails() {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", false) }
        let d = RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock))).request("GET", "http://example.com/")
        c.flush()
        #expect((d.error() as? RedirectError)?.kind == .noLocation)
    }

    @Test func crossOriginRedirectDropsCredentials() throws {
        let c = MemoryConnector { key in
            FakeHTTPServer { _, _ in
                key.host == "a.example" ? ("HTTP/1.1 302 Found\r\nLocation: http://b.example/x\r\nContent-Length: 0\r\n\r\n", false) : (ok("b"), false)
            }
        }
        let agent = RedirectAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)))
        let d = agent.request("GET", "http://a.example/", headers: ["Authorization": "secret", "Cookie": "c=1", "X-Keep": "1"])
        c.flush()
        _ = try d.get()
        let second = c.fakeServers[1].requests[0]
        #expect(!second.contains("Authorization"))
        #expect(!second.contains("Cookie"))
        #expect(second.contains("X-Keep: 1"))
        #expect(second.contains("Host: b.example\r\n"))
        #expect(c.fakeServers[0].requests[0].contains("Authorization: secret"))
    }

    @Test(arguments: [("gzip", Int32(31)), ("deflate", Int32(15)), ("deflate", Int32(-15))])
    func compressedBodyIsDecodedAsItStreams(coding: String, windowBits: Int32) throws {
        let text = String(repeating: "<item>twister</item>\n", count: 2000)
        let compressed = compress(text, windowBits: windowBits)
        var sawAcceptEncoding = false
        let c = MemoryConnector { _ in
            BytesServer { req in
                sawAcceptEncoding = req.contains("Accept-Encoding: gzip, deflate\r\n")
                return rawReply("HTTP/1.1 200 OK\r\nContent-Encoding: \(coding)\r\n", compressed)
            }
        }
        let agent = ContentDecoderAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)))
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        let r = try d.get()
        #expect(r.headers["Content-Encoding"] == nil)
        #expect(r.length == nil)
        #expect(String(buffer: try readBody(r).get()) == text)
        #expect(sawAcceptEncoding)
    }

    @Test func corruptGzipFailsTheBody() throws {
        let c = MemoryConnector { _ in BytesServer { _ in rawReply("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n", Array("definitely not gzip".utf8)) } }
        let d = ContentDecoderAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock))).request("GET", "http://example.com/")
        c.flush()
        let b = readBody(try d.get())
        c.flush()
        #expect((b.error() as? ResponseFailed)?.reason(ContentDecodingError.self) != nil)
    }

    @Test func truncatedGzipFailsTheBody() throws {
        let full = compress(String(repeating: "abc", count: 1000), windowBits: 31)
        let c = MemoryConnector { _ in BytesServer { _ in rawReply("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n", Array(full.prefix(full.count / 2))) } }
        let d = ContentDecoderAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock))).request("GET", "http://example.com/")
        c.flush()
        let b = readBody(try d.get())
        #expect((b.error() as? ResponseFailed)?.reason(ContentDecodingError.self) == ContentDecodingError("gzip stream is truncated"))
    }

    @Test func unknownContentEncodingIsLeftAlone() throws {
        let c = MemoryConnector { _, _ in (ok("raw", "Content-Encoding: br\r\n"), false) }
        let d = ContentDecoderAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock))).request("GET", "http://example.com/")
        c.flush()
        let r = try d.get()
        #expect(r.headers["Content-Encoding"] == "br")
        #expect(String(buffer: try readBody(r).get()) == "raw")
    }

    @Test func cookieAgentStoresAndSendsCookies() throws {
        let c = MemoryConnector { req, n in
            n == 1 ? (ok("", "Set-Cookie: session=abc; Path=/\r\nSet-Cookie: other=1; Path=/private\r\n"), false) : (ok(req), false)
        }
        let jar = CookieJar()
        let agent = CookieAgent(Agent(connector: c, pool: HTTPConnectionPool(clock: clock)), jar: jar)
        _ = agent.request("GET", "http://example.com/login")
        c.flush()
        let d = agent.request("GET", "http://example.com/home")
        c.flush()
        #expect(String(buffer: try readBody(try d.get()).get()).contains("Cookie: session=abc\r\n"))
        let d2 = agent.request("GET", "http://example.com/private/x")
        c.flush()
        #expect(String(buffer: try readBody(try d2.get()).get()).contains("Cookie: other=1; session=abc\r\n"))
        #expect(jar.header(for: try ClientURL("http://elsewhere.com/")) == nil)
    }

    @Test func proxyAgentSendsAbsoluteFormToTheProxy() throws {
        let c = MemoryConnector { req, _ in (ok(req), false) }
        let agent = try ProxyAgent(proxyURL: "http://127.0.0.1:3128", connector: c, pool: HTTPConnectionPool(clock: clock))
        let d = agent.request("GET", "http://example.com:8080/path?q=1")
        c.flush()
        let seen = String(buffer: try readBody(try d.get()).get())
        #expect(seen.hasPrefix("GET http://example.com:8080/path?q=1 HTTP/1.1\r\n"))
        #expect(seen.contains("Host: example.com:8080\r\n"))
        #expect(c.keys == [ConnectionKey(scheme: "http", host: "127.0.0.1", port: 3128)])
    }

    @Test func urlResolutionFollowsRFC3986() throws {
        let base = try ClientURL("http://a/b/c/d;p?q")
        let cases = [("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
                     ("//g", "http://g/"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("..", "http://a/b/"),
                     ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../../g", "http://a/g"), ("g#s", "http://a/b/c/g"),
                     ("http://other:81/x", "http://other:81/x")]
        for (ref, expected) in cases {
            #expect(try base.resolve(ref).description == expected, "\(ref)")
        }
        let unix = try ClientURL("http+unix://%2Fvar%2Frun%2Fd.sock/v1/info")
        #expect(unix.host == "/var/run/d.sock")
        #expect(unix.target == "/v1/info")
        #expect(ConnectionKey(unix).endpointDescription == "unix:/var/run/d.sock")
    }
}
