import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// Request-line, header and framing rules of the channel (twisted-core-web.md §1.8 and §2.1 items 10-28),
/// each fed at every byte boundary.
@Suite("HTTP parser") @ReactorActor
struct ServerParserTests {
    func refused(_ input: String, _ status: Int = 400, settings: HTTPServerSettings = HTTPServerSettings(),
                 sourceLocation: SourceLocation = #_sourceLocation) {
        let out = outputAtEverySplit(input, settings: settings, sourceLocation: sourceLocation)
        #expect(SiteHarness.statuses(out).last == status, "\(input.debugDescription) → \(out)", sourceLocation: sourceLocation)
        #expect(out.contains("Connection: close"), sourceLocation: sourceLocation)
    }

    func accepted(_ input: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let out = outputAtEverySplit(input, sourceLocation: sourceLocation)
        #expect(SiteHarness.statuses(out).first == 200, "\(input.debugDescription) → \(out)", sourceLocation: sourceLocation)
        return out
    }

    @Test func simpleGetIsAnsweredWithLengthAndBody() {
        let out = accepted("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(out == "HTTP/1.1 200 OK\r\nServer: Twister\r\nContent-Length: 7\r\nContent-Type: text/html\r\n\r\npath=/x")
    }

    // Item 10
    @Test func requestLineWithNonASCIIEmptyOrNULMethodIsRefused() {
        refused("G\u{E9}T / HTTP/1.1\r\nHost: a\r\n\r\n")
        refused(" / HTTP/1.1\r\nHost: a\r\n\r\n")
        refused("G\0T / HTTP/1.1\r\nHost: a\r\n\r\n")
    }

    @Test func requestLineWithExtraSpacesIsRefused() {
        refused("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")
        refused("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")
        refused("GET /  HTTP/1.1\r\nHost: a\r\n\r\n")
        refused("GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n")
        refused("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n")
    }

    @Test func requestLineWithBadVersionIsRefused() {
        refused("GET / HTTP/1.2x\r\nHost: a\r\n\r\n")
        refused("GET / http/1.1\r\nHost: a\r\n\r\n")
        refused("GET / HTTP/11\r\nHost: a\r\n\r\n")
        refused("GET /\r\n\r\n")
        refused("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)
    }

    @Test func requestTargetEmptyOrWithNULOrControlIsRefused() {
        refused("GET  HTTP/1.1\r\nHost: a\r\n\r\n")
        refused("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n")
        refused("GET /\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n")
    }

    @Test func bareCRIsRefused() {
        refused("GET / HTTP/1.1\rHost: a\r\n\r\n")
        refused("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n")
    }

    @Test func oneStrayBlankLineBeforeRequestIsTolerated() {
        _ = accepted("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
    }

    @Test func bareLFLineEndingsAreAccepted() {
        _ = accepted("GET / HTTP/1.1\nHost: a\n\n")
    }

    // Item 11: the reference joins folded lines; the issue requires refusing obs-fold (RFC 9112 §5.2 allows
    // either). We refuse: a fold is a classic smuggling vector.
    @Test func headersReachRequestHeadersAndFoldedHeadersAreRefused() {
        let echo = EchoResource()
        let h = SiteHarness(echo)
        h.send("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: bar\r\nx-foo: baz\r\n\r\n")
        #expect(echo.seen.first?.requestHeaders.values("X-FOO") == ["bar", "baz"])
        refused("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: bar\r\n  continued\r\n\r\n")
        refused("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: bar\r\n\tcontinued\r\n\r\n")
    }

    // Item 12
    @Test func onlySpaceAndTabAreStrippedAroundHeaderValues() {
        let echo = EchoResource()
        let h = SiteHarness(echo)
        h.send("GET / HTTP/1.1\r\nHost: a\r\nX-A: \t v \u{0B}\t \r\n\r\n")
        // \x0B (vertical tab) is a control byte: refused, not stripped.
        #expect(SiteHarness.statuses(h.take()) == [400])
        let echo2 = EchoResource()
        let h2 = SiteHarness(echo2)
        h2.send("GET / HTTP/1.1\r\nHost: a\r\nX-A: \t v w \t \r\n\r\n")
        #expect(echo2.seen.first?.getHeader("x-a") == "v w")
    }

    // Item 13
    @Test func tooManyHeadersAreRefusedAndTheCountIsPerRequest() {
        var s = HTTPServerSettings()
        s.maxHeaderCount = 5
        let four = (0..<4).map { "X-\($0): v\r\n" }.joined()
        let h = SiteHarness(EchoResource(), settings: s)
        h.send("GET / HTTP/1.1\r\nHost: a\r\n\(four)\r\nGET / HTTP/1.1\r\nHost: a\r\n\(four)\r\n")
        #expect(SiteHarness.statuses(h.take()) == [200, 200])
        refused("GET / HTTP/1.1\r\nHost: a\r\n\(four)X-5: v\r\n\r\n", 431, settings: s)
    }

    // Item 14
    @Test func oversizedHeadIsRefusedAndTheSizeIsPerRequest() {
        var s = HTTPServerSettings()
        s.maxHeadSize = 200
        let pad = String(repeating: "a", count: 120)
        let h = SiteHarness(EchoResource(), settings: s)
        h.send("GET / HTTP/1.1\r\nHost: a\r\nX: \(pad)\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nX: \(pad)\r\n\r\n")
        #expect(SiteHarness.statuses(h.take()) == [200, 200])
        refused("GET / HTTP/1.1\r\nHost: a\r\nX: \(pad)\r\nY: \(pad)\r\n\r\n", 431, settings: s)
        var s2 = HTTPServerSettings()
        s2.maxRequestLineLength = 50
        refused("GET /\(pad) HTTP/1.1\r\nHost: a\r\n\r\n", 414, settings: s2)
    }

    @Test func headWithoutEndIsRefusedOnceItPassesTheLimit() {
        var s = HTTPServerSettings()
        s.maxHeadSize = 100
        let h = SiteHarness(EchoResource(), settings: s)
        h.send("GET / HTTP/1.1\r\nHost: a\r\nX: ")
        #expect(h.take() == "")
        h.send(String(repeating: "b", count: 200))
        #expect(SiteHarness.statuses(h.take()) == [431])
        #expect(h.transport.disconnecting)
    }

    // Item 15
    @Test func badHeaderLinesAreRefused() {
        refused("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n")
        refused("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n")
        refused("GET / HTTP/1.1\r\nHost: a\r\nX-A : v\r\n\r\n")
        refused("GET / HTTP/1.1\r\nHost: a\r\nX(A): v\r\n\r\n")
        refused("GET / HTTP/1.1\r\nHost: a\r\nX\u{E9}: v\r\n\r\n")
    }

    // Item 16
    @Test func nulInHeaderValueIsRefused() {
        refused("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n")
    }

    @Test func missingOrDuplicateHostOnHTTP11IsRefused() {
        refused("GET / HTTP/1.1\r\n\r\n")
        refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
    }

    // Item 17
    @Test func nonIntegerSignedOrNegativeContentLengthIsRefusedBeforeProcess() {
        for cl in ["abc", "+5", "-5", "5 5", "0x5", "", "5,5", "1e3", " "] {
            let echo = EchoResource()
            let h = SiteHarness(echo)
            h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(cl)\r\n\r\nhello")
            #expect(SiteHarness.statuses(h.take()) == [400], "Content-Length: \(cl)")
            #expect(echo.seen.isEmpty)
        }
    }

    // Item 18
    @Test func duplicateContentLengthIsRefusedIncludingInAPipeline() {
        refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
        let h = SiteHarness(EchoResource())
        h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        #expect(SiteHarness.statuses(h.take()) == [200, 400])
    }

    // Item 19
    @Test func contentLengthWithTransferEncodingIsRefusedIncludingInAPipeline() {
        refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n")
        let h = SiteHarness(EchoResource())
        h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(SiteHarness.statuses(h.take()) == [200, 400])
    }

    // Item 20
    @Test func unknownTransferEncodingIsRefusedAndIdentityWithLengthIsAccepted() {
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n")
        refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        let out = accepted("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello")
        #expect(out.hasSuffix("\r\n\r\nhello"))
    }

    // Item 21
    @Test func chunkedRequestBodyIsDecodedAndBadChunkLengthIsRefused() {
        let out = accepted("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        #expect(out.hasSuffix("Content-Length: 11\r\nContent-Type: text/html\r\n\r\nhello world"))
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
    }

    // Item 22
    @Test func chunkedDecodingTreatsCRLFInDataAsDataAndHandsPartialChunksOver() throws {
        let out = accepted("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\r\n\r\n\r\n0\r\n\r\n")
        #expect(out.hasSuffix("\r\n\r\n\r\n\r\n"))
        var d = HTTPBodyDecoder(framing: .chunked, settings: HTTPServerSettings())
        var got = ByteBuffer()
        var buf = ByteBuffer(string: "a\r\n01234")
        #expect(try d.decode(&buf) { got.writeImmutableBuffer($0) } == false)
        #expect(String(buffer: got) == "01234")
        var empty = ByteBuffer()
        #expect(try d.decode(&empty) { got.writeImmutableBuffer($0) } == false)
    }

    // Item 23
    @Test func chunkExtensionsAreIgnoredButInvalidCharactersAreRefused() {
        let out = accepted("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=\"v\";x\r\nhello\r\n0;end\r\n\r\n")
        #expect(out.hasSuffix("hello"))
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\0b\r\nhello\r\n0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\u{7F}\r\nhello\r\n0\r\n\r\n")
    }

    // Item 24
    @Test func overLongChunkSizeLineIsRefusedWholeOrGrowing() {
        let long = String(repeating: "x", count: 2000)
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\(long)\r\nhello\r\n0\r\n\r\n")
        let h = SiteHarness(EchoResource())
        h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;")
        #expect(h.take() == "")
        h.send(long)
        #expect(SiteHarness.statuses(h.take()) == [400])
    }

    // Item 25
    @Test func chunkSizeNotHexNegativeOr0xOrMissingCRLFAfterDataIsRefused() {
        for size in ["-5", "+5", "0x5", "g", " 5", ""] {
            refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nhello\r\n0\r\n\r\n")
        }
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n")
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\nhello\r\n0\r\n\r\n", 413)
    }

    // Item 26
    @Test func bytesAfterTheLastChunkBelongToTheNextRequest() {
        let h = SiteHarness(EchoResource())
        h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        let out = h.take()
        #expect(SiteHarness.statuses(out) == [200, 200])
        #expect(out.hasSuffix("path=/next"))
    }

    @Test func earlyEndOfChunkedInputLeavesTheRequestUnprocessed() {
        let echo = EchoResource()
        let h = SiteHarness(echo)
        h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
        h.transport.finishLoss(.lost("reset"))
        #expect(echo.seen.isEmpty)
        #expect(h.take() == "")
    }

    // Item 27
    @Test func trailersAreIgnoredButTooLongOnesAreRefused() {
        let out = accepted("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n")
        #expect(out.hasSuffix("hi"))
        var s = HTTPServerSettings()
        s.maxTrailerSize = 50
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX: \(String(repeating: "a", count: 60))\r\n\r\n", settings: s)
        let h = SiteHarness(EchoResource(), settings: s)
        h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX: never ends")
        h.send(String(repeating: "a", count: 60))
        #expect(SiteHarness.statuses(h.take()) == [400])
    }

    // Item 28
    @Test func identityDecoderSplitsExactlyAtContentLength() throws {
        var d = HTTPBodyDecoder(framing: .length(5), settings: HTTPServerSettings())
        var got = ByteBuffer()
        var buf = ByteBuffer(string: "helloGET")
        #expect(try d.decode(&buf) { got.writeImmutableBuffer($0) })
        #expect(String(buffer: got) == "hello")
        #expect(String(buffer: buf) == "GET")
        let h = SiteHarness(EchoResource())
        h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel")
        #expect(h.take() == "")
        h.send("loGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(SiteHarness.statuses(h.take()) == [200, 200])
    }

    @Test func noFramingHeadersMeansAnEmptyBody() {
        let echo = EchoResource()
        let h = SiteHarness(echo)
        h.send("POST / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(echo.seen.first?.content.count == 0)
        #expect(SiteHarness.statuses(h.take()) == [200])
    }

    @Test func bodyOverTheLimitIsRefusedWith413() {
        var s = HTTPServerSettings()
        s.maxBodySize = 10
        refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world", 413, settings: s)
        refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", 413, settings: s)
    }

    @Test func largeBodySpillsToATemporaryFile() {
        var s = HTTPServerSettings()
        s.maxInMemoryBodySize = 100
        let echo = EchoResource()
        let h = SiteHarness(echo, settings: s)
        let body = String(repeating: "0123456789", count: 50)
        h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\n\(body)")
        #expect(echo.seen.first?.content.isSpilled == true)
        #expect(h.take().hasSuffix(body))
        let small = EchoResource()
        let h2 = SiteHarness(small, settings: s)
        h2.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        #expect(small.seen.first?.content.isSpilled == false)
    }
}

/// Random and mutated inputs, in random chunkings: the channel never crashes, and every answer it gives is a
/// well-formed response; a refusal always closes the connection.
@Suite("HTTP parser fuzz") @ReactorActor
struct ServerParserFuzzTests {
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
    }

    static let pieces = ["GET", "POST", " ", "/", "/a", "?x=1", " HTTP/1.1", " HTTP/1.0", "\r\n", "\n", "\r",
                         "Host: x", "Content-Length: ", "5", "-1", "Transfer-Encoding: chunked", "0\r\n\r\n",
                         "5\r\nhello\r\n", ":", "\0", "\t", "X-A: v", "hello", "\u{7F}", "\u{E9}", "Expect: 100-continue",
                         "Connection: close", ";ext", "ffffffffffffffffff", "\r\n\r\n"]

    // Both tests yield the reactor after every input: they take seconds on a loaded machine, and the reactor
    // thread is shared with the real-socket tests of every other suite running in parallel.
    @Test func randomInputsNeverCrashAndRefusalsAlwaysClose() async {
        var rng = Rng(state: 42)
        for _ in 0..<400 {
            await Task.yield()
            var input = ""
            for _ in 0..<Int.random(in: 1...30, using: &rng) { input += Self.pieces.randomElement(using: &rng)! }
            let h = SiteHarness(EchoResource())
            var bytes = Array(input.utf8)[...]
            while !bytes.isEmpty {
                let n = min(bytes.count, Int.random(in: 1...8, using: &rng))
                h.transport.receive(ByteBuffer(bytes: bytes.prefix(n)))
                bytes = bytes.dropFirst(n)
            }
            let out = h.take()
            let codes = SiteHarness.statuses(out)
            if out.isEmpty { continue }
            #expect(out.hasPrefix("HTTP/1.1 "), "\(input.debugDescription) → \(out.prefix(60))")
            if let last = codes.last, last >= 400 {
                #expect(h.transport.disconnecting, "\(input.debugDescription)")
            }
        }
    }

    @Test func validPipelinesGiveTheSameAnswersInAnyChunking() async {
        var rng = Rng(state: 7)
        let requests = ["GET /a HTTP/1.1\r\nHost: x\r\n\r\n",
                        "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
                        "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;e=1\r\nde\r\n0\r\nT: 1\r\n\r\n",
                        "HEAD /d HTTP/1.1\r\nHost: x\r\n\r\n"]
        for _ in 0..<100 {
            await Task.yield()
            let input = (0..<6).map { _ in requests.randomElement(using: &rng)! }.joined()
            let whole = SiteHarness(EchoResource())
            whole.send(input)
            let expected = whole.take()
            let h = SiteHarness(EchoResource())
            var bytes = Array(input.utf8)[...]
            while !bytes.isEmpty {
                let n = min(bytes.count, Int.random(in: 1...40, using: &rng))
                h.transport.receive(ByteBuffer(bytes: bytes.prefix(n)))
                bytes = bytes.dropFirst(n)
            }
            #expect(h.take() == expected)
            #expect(SiteHarness.statuses(expected).count == 6)
        }
    }
}
