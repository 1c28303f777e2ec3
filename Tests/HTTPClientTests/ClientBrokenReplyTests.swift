import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting

/// A fake server sends broken replies; each must fail with the named defect and the connection must be
/// aborted, never pooled.
@Suite @ReactorActor struct ClientBrokenReplyTests {
    nonisolated static let cases: [(String, HTTPResponseParseError)] = [
        ("HELLO\r\n\r\n", .badStatusLine("HELLO")),
        ("FTP/1.1 200 OK\r\n\r\n", .badStatusLine("FTP/1.1 200 OK")),
        ("HTTP/1.x 200 OK\r\n\r\n", .badStatusLine("HTTP/1.x 200 OK")),
        ("HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion("HTTP/2.0")),
        ("HTTP/1.1 2000 OK\r\n\r\n", .badStatusCode("2000 OK")),
        ("HTTP/1.1 abc OK\r\n\r\n", .badStatusCode("abc OK")),
        ("HTTP/1.1 099 Low\r\n\r\n", .badStatusCode("099 Low")),
        ("HTTP/1.1 200 O\u{1}K\r\n\r\n", .badStatusLine("control character in reason phrase")),
        ("HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", .headerWithoutColon("NoColonHere")),
        ("HTTP/1.1 200 OK\r\n: empty\r\n\r\n", .emptyHeaderName),
        ("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", .whitespaceBeforeColon("Content-Length ")),
        ("HTTP/1.1 200 OK\r\nBad(Name): 1\r\n\r\n", .invalidHeaderName("Bad(Name)")),
        ("HTTP/1.1 200 OK\r\nX-A: a\u{0}b\r\n\r\n", .invalidHeaderValue(name: "X-A")),
        ("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", .bareCarriageReturn),
        ("HTTP/1.1 200 OK\r\n folded\r\n\r\n", .continuationWithoutHeader),
        ("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", .badContentLength("abc")),
        ("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", .badContentLength("-5")),
        ("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", .badContentLength("+5")),
        ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", .badContentLength("99999999999999999999")),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", .conflictingContentLength(["5", "6"])),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .contentLengthWithTransferEncoding),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding("gzip")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .badChunkSize("zz")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\n", .badChunkSize("0x10")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", .badChunkSize("-1")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n", .badChunkSize("too large: FFFFFFFFFFFFFFFFFF")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY", .missingCRLFAfterChunk),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "1", count: 2000), .chunkSizeLineTooLong(limit: 1024)),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBadTrailer\r\n\r\n", .badTrailer("header line without a colon: BadTrailer")),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", .unexpectedSwitchingProtocols),
        ("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 17 * 1024) + "\r\n\r\n", .lineTooLong(limit: 16 * 1024)),
        ("HTTP/1.1 200 OK\r\n" + String(repeating: "X-H: " + String(repeating: "v", count: 1000) + "\r\n", count: 70) + "\r\n", .headTooLarge(limit: 64 * 1024)),
        ("HTTP/1.1 200 OK\r\n" + String(repeating: "X-H: v\r\n", count: 300) + "\r\n", .tooManyHeaders(limit: 256)),
    ]

    @Test(arguments: cases)
    func brokenReplyFailsWithANamedErrorAndTheConnectionIsNotReused(reply: String, expected: HTTPResponseParseError) throws {
        let c = MemoryConnector { _, _ in (reply, false) }
        let agent = Agent(connector: c, pool: HTTPConnectionPool(clock: Clock()))
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        var error: (any Error)?
        if case .success(let r)? = d.result {
            // The head was fine; the body is broken.
            let b = readBody(r)
            c.flush()
            error = b.error()
        } else {
            error = d.error()
        }
        let failed = try #require(error as? ResponseFailed, "got \(String(describing: error))")
        #expect(failed.reason(HTTPResponseParseError.self) == expected)
        #expect(c.pumps[0].clientTransport.aborted)
        #expect(agent.pool.idleCount(c.keys[0]) == 0)
    }

    @Test func atLeastTwentyDistinctBrokenReplies() {
        #expect(Set(Self.cases.map { "\($0.1)" }).count >= 20)
    }

    @Test func connectionClosedInTheMiddleOfTheHeadIsNamed() {
        let c = MemoryConnector { _, _ in ("HTTP/1.1 200 OK\r\nContent-Len", true) }
        let d = Agent(connector: c, pool: HTTPConnectionPool(clock: Clock())).request("GET", "http://example.com/")
        c.flush()
        let e = d.error() as? ResponseFailed
        #expect(e?.reason(HTTPResponseParseError.self) == .truncatedHead)
    }

    @Test func extraBytesAfterAResponseKeepTheResponseButDropTheConnection() throws {
        let c = MemoryConnector { _, _ in (ok("x") + "GARBAGE", false) }
        let agent = Agent(connector: c, pool: HTTPConnectionPool(clock: Clock()))
        let d = agent.request("GET", "http://example.com/")
        c.flush()
        #expect(String(buffer: try readBody(try d.get()).get()) == "x")
        #expect(agent.pool.idleCount(c.keys[0]) == 0)
        #expect(c.pumps[0].clientTransport.disconnecting)
    }
}
