import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting

/// One parser per connection, reset between responses; the facts the fast framing path takes from the fields.
@Suite struct ClientParserReuseTests {
    func drain(_ p: inout HTTPResponseParser) throws -> (HTTPResponseParser.Framing?, String, Bool) {
        var framing: HTTPResponseParser.Framing?
        var body = ""
        var ended = false
        while let ev = try p.next() {
            switch ev {
            case .head(_, let f): framing = f
            case .body(let b): body += String(buffer: b)
            case .end: ended = true
            case .informational: break
            }
        }
        return (framing, body, ended)
    }

    @Test func aResetParserReadsResponsesOfEveryFramingInTurn() throws {
        var p = HTTPResponseParser(requestMethod: "GET")
        let replies: [(String, String, HTTPResponseParser.Framing, String)] = [
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", .length(5), "hello"),
            ("GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", .chunked, "abc"),
            ("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", .none, ""),
            ("GET", "HTTP/1.1 200 OK\r\ncontent-length:  7 \r\n\r\nsevenxx", .length(7), "sevenxx"),
            ("GET", "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n", .none, ""),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", .length(2), "ok"),
        ]
        for (method, reply, framing, body) in replies {
            p.reset(requestMethod: method)
            p.feed(ByteBuffer(string: reply))
            let (f, b, ended) = try drain(&p)
            #expect(f == framing, "\(reply)")
            #expect(b == body && ended, "\(reply)")
        }
    }

    @Test func conflictingOrMalformedContentLengthsStillFailAfterTheFastPath() {
        for reply in ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
                      "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
                      "HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567890\r\n\r\n",
                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"] {
            var p = HTTPResponseParser(requestMethod: "GET")
            p.feed(ByteBuffer(string: reply))
            #expect(throws: HTTPResponseParseError.self, "\(reply)") { _ = try drain(&p) }
        }
    }

    @Test(arguments: [("Connection: close", true, false), ("connection: Keep-Alive", false, true),
                      ("Connection:  upgrade ,  CLOSE ", true, false), ("Connection: keep-alive, close", true, true),
                      ("Connection: closed", false, false), ("Connection: keep alive", false, false),
                      ("Connection: keep-\r\n alive", false, false), ("Connection:\r\n close", true, false)])
    func connectionTokensAreFoundWithoutCaseAndAroundSpaces(line: String, close: Bool, keepAlive: Bool) throws {
        var p = HTTPResponseParser(requestMethod: "GET")
        p.feed(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\(line)\r\nContent-Length: 0\r\n\r\n"))
        _ = try drain(&p)
        #expect(p.connectionClose == close && p.connectionKeepAlive == keepAlive)
    }

    @Test func tokenBytesAreExactlyRFC9110Tchar() {
        let extra = Set("!#$%&'*+-.^_`|~".utf8)
        for b in 0...255 {
            let c = UInt8(b)
            let expected = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || extra.contains(c)
            #expect(HTTPBytes.isTokenChar(c) == expected, "byte \(b)")
        }
    }
}
