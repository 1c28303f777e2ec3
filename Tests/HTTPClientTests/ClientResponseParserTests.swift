import Testing
@testable import TwisterHTTPClient
import TwisterWeb

/// What a parse run produced.
struct ParsedResponse {
    var informational: [Int] = []
    var head: HTTPResponseParser.Head?
    var framing: HTTPResponseParser.Framing?
    var body: [UInt8] = []
    var trailers: HTTPHeaders?
    var leftover = 0
}

/// Feeds `bytes` to a parser split at `splits` (offsets), then optionally signals EOF.
func parseResponse(_ bytes: [UInt8], splits: [Int] = [], method: String = "GET", eof: Bool = false,
                   limits: HTTPResponseParser.Limits = .init()) throws(HTTPResponseParseError) -> ParsedResponse {
    var p = HTTPResponseParser(requestMethod: method, limits: limits)
    var out = ParsedResponse()
    func drain(_ p: inout HTTPResponseParser) throws(HTTPResponseParseError) {
        while let ev = try p.next() {
            switch ev {
            case .informational(let h): out.informational.append(h.code)
            case .head(let h, let f): out.head = h; out.framing = f
            case .body(let b): out.body += b.readableBytesView
            case .end(let t): out.trailers = t
            }
        }
    }
    var start = 0
    for s in (splits + [bytes.count]) where s >= start {
        p.feed(ByteBuffer(bytes: bytes[start..<s]))
        try drain(&p)
        start = s
    }
    if eof, let ev = try p.finish(), case .end(let t) = ev { out.trailers = t }
    out.leftover = p.leftover.readableBytes
    return out
}

func parseResponse(_ s: String, method: String = "GET", eof: Bool = false) throws(HTTPResponseParseError) -> ParsedResponse {
    try parseResponse(Array(s.utf8), method: method, eof: eof)
}

/// Every way of splitting `s` in two and (for short inputs) one byte at a time gives the same result.
func parseAtEverySplit(_ s: String, method: String = "GET", eof: Bool = false) throws -> ParsedResponse {
    let bytes = Array(s.utf8)
    let whole = try parseResponse(bytes, method: method, eof: eof)
    for i in 0...bytes.count {
        let r = try parseResponse(bytes, splits: [i], method: method, eof: eof)
        #expect(r.body == whole.body, "split at \(i)")
        #expect(r.head?.code == whole.head?.code, "split at \(i)")
        #expect(r.trailers == whole.trailers, "split at \(i)")
        #expect(r.head?.headers == whole.head?.headers, "split at \(i)")
    }
    let single = try parseResponse(bytes, splits: Array(0...bytes.count), method: method, eof: eof)
    #expect(single.body == whole.body)
    #expect(single.trailers == whole.trailers)
    return whole
}

@Suite struct ResponseParserTests {
    @Test func contentLengthBodyParsesAtEveryByteBoundary() throws {
        let r = try parseAtEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello")
        #expect(r.head?.code == 200)
        #expect(r.head?.reason == "OK")
        #expect(r.framing == .length(5))
        #expect(String(decoding: r.body, as: UTF8.self) == "hello")
        #expect(r.trailers == HTTPHeaders())
        #expect(r.head?.headers["x-a"] == "b")
    }

    @Test func chunkedBodyWithTrailersParsesAtEveryByteBoundary() throws {
        let r = try parseAtEverySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Checksum: 42\r\n\r\n")
        #expect(r.framing == .chunked)
        #expect(String(decoding: r.body, as: UTF8.self) == "hello, world")
        #expect(r.trailers?["X-Checksum"] == "42")
    }

    @Test func readUntilCloseBodyEndsAtEOF() throws {
        let r = try parseAtEverySplit("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it", eof: true)
        #expect(r.framing == .untilClose)
        #expect(String(decoding: r.body, as: UTF8.self) == "all of it")
        #expect(r.trailers != nil)
        #expect(r.head?.minor == 0)
    }

    @Test func headResponseHasNoBodyDespiteContentLength() throws {
        let r = try parseAtEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", method: "HEAD")
        #expect(r.framing == HTTPResponseParser.Framing.none)
        #expect(r.body.isEmpty)
        #expect(r.trailers != nil)
    }

    @Test(arguments: [204, 304])
    func noContentAndNotModifiedHaveNoBody(code: Int) throws {
        let r = try parseResponse("HTTP/1.1 \(code) X\r\nContent-Length: 10\r\n\r\nNEXT")
        #expect(r.framing == HTTPResponseParser.Framing.none)
        #expect(r.trailers != nil)
        #expect(r.leftover == 4)
    }

    @Test func informationalResponsesAreSkipped() throws {
        let r = try parseAtEverySplit("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(r.informational == [100, 103])
        #expect(r.head?.code == 201)
        #expect(String(decoding: r.body, as: UTF8.self) == "ok")
    }

    @Test func bareLineFeedsAreTolerated() throws {
        let r = try parseAtEverySplit("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi")
        #expect(String(decoding: r.body, as: UTF8.self) == "hi")
    }

    @Test func foldedHeaderIsJoinedWithASpace() throws {
        let r = try parseResponse("HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 0\r\n\r\n")
        #expect(r.head?.headers["X-Long"] == "one two")
    }

    @Test func missingReasonPhraseIsAccepted() throws {
        let r = try parseResponse("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n")
        #expect(r.head?.code == 404)
        #expect(r.head?.reason == "")
    }

    @Test func identicalDuplicateContentLengthsAreAccepted() throws {
        let r = try parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc")
        #expect(r.framing == .length(3))
    }

    @Test func bytesAfterTheResponseAreLeftOver() throws {
        let r = try parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA")
        #expect(r.body == Array("x".utf8))
        #expect(r.leftover == 5)
    }

    @Test func largeChunkedBodyKeepsEveryByte() throws {
        var s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        var expected: [UInt8] = []
        for i in 0..<200 {
            let chunk = String(repeating: Character(Unicode.Scalar(UInt8(65 + i % 26))), count: i + 1)
            s += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n"
            expected += chunk.utf8
        }
        s += "0\r\n\r\n"
        let bytes = Array(s.utf8)
        let r = try parseResponse(bytes, splits: Array(stride(from: 0, to: bytes.count, by: 7)))
        #expect(r.body == expected)
    }

    @Test func truncatedContentLengthBodyNamesTheShortfall() {
        #expect(throws: HTTPResponseParseError.truncatedBody(expected: 10, received: 3)) {
            try parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", eof: true)
        }
    }

    @Test func truncatedHeadIsNamed() {
        #expect(throws: HTTPResponseParseError.truncatedHead) {
            try parseResponse("HTTP/1.1 200 OK\r\nContent-Le", eof: true)
        }
    }

    @Test func truncatedChunkedBodyIsNamed() {
        #expect(throws: HTTPResponseParseError.truncatedChunkedBody) {
            try parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", eof: true)
        }
    }
}
