import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// HTTPChannel behaviour (twisted-core-web.md §2.1 items 1-9 and 29-37).
@Suite("HTTP channel") @ReactorActor
struct ServerChannelTests {
    // Item 1
    @Test func sequenceOfRequestsYieldsTheExpectedRawResponses() {
        let out = outputAtEverySplit("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(out == "HTTP/1.1 200 OK\r\nServer: Twister\r\nContent-Length: 7\r\nContent-Type: text/html\r\n\r\npath=/a"
                + "HTTP/1.1 200 OK\r\nServer: Twister\r\nContent-Length: 7\r\nContent-Type: text/html\r\n\r\npath=/b")
    }

    // Items 2, 6
    @Test func pipelinedRequestsReachTheAppOneAtATimeEvenByteByByte() {
        for split in [false, true] {
            let hold = HoldingResource()
            let h = SiteHarness(hold)
            let input = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
            if split { for b in input.utf8 { h.transport.receive(ByteBuffer(bytes: [b])) } } else { h.send(input) }
            #expect(hold.held.count == 1)
            #expect(h.take() == "")
            hold.held[0].write("one")
            hold.held[0].finish()
            #expect(hold.held.count == 2)
            hold.held[1].write("two")
            hold.held[1].finish()
            let out = h.take()
            #expect(out.firstRange(of: "one")!.lowerBound < out.firstRange(of: "two")!.lowerBound)
        }
    }

    // Item 6: no response to a second request goes out while the first is pending.
    @Test func noSecondResponseIsWrittenWhileTheFirstIsPending() {
        final class Mixed: Resource {
            var first: Request?
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                if request.path == "/slow" { first = request; return .notDoneYet }
                return "fast"
            }
        }
        let r = Mixed()
        let h = SiteHarness(r)
        h.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        h.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(h.take() == "")
        r.first!.writeAndFinish("slow")
        let out = h.take()
        #expect(out.firstRange(of: "slow")!.lowerBound < out.firstRange(of: "fast")!.lowerBound)
    }

    // Item 3
    @Test func severalPipelinedRequestsInOneReadAreAllAnsweredInOrder() {
        let h = SiteHarness(EchoResource())
        h.send((0..<10).map { "GET /\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
        let out = h.take()
        #expect(SiteHarness.statuses(out).count == 10)
        var last = out.startIndex
        for i in 0..<10 {
            let r = out.range(of: "path=/\(i)", range: last..<out.endIndex)!
            last = r.upperBound
        }
    }

    // Items 4, 5
    @Test func aFloodOfPipelinedRequestsPausesReadingAndStillGetsEveryResponse() {
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        let one = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        h.send(String(repeating: one, count: 1000))
        #expect(h.transport.readingPaused)
        var n = 0
        while n < hold.held.count {
            hold.held[n].writeAndFinish("ok")
            n += 1
        }
        #expect(n == 1000)
        #expect(!h.transport.readingPaused)
        #expect(SiteHarness.statuses(h.take()).count == 1000)
    }

    // Item 7
    @Test func bodyDataResetsTheIdleTimeoutWhichDefaultsTo60Seconds() {
        let h = SiteHarness(EchoResource())
        #expect(HTTPServerSettings().idleTimeout == 60)
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        for _ in 0..<5 {
            h.clock.advance(15)
            h.send("a")
        }
        #expect(!h.transport.disconnecting)
        h.clock.advance(59)
        #expect(!h.transport.disconnecting)
        h.clock.advance(2)
        #expect(h.transport.disconnecting)
    }

    @Test func idleConnectionIsClosedAfterTheTimeoutAndKeptWhileAnswering() {
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        h.clock.advance(120)
        #expect(!h.transport.disconnecting, "no timeout while a request is being answered")
        hold.held[0].writeAndFinish("done")
        h.clock.advance(59)
        #expect(!h.transport.disconnecting)
        h.clock.advance(1)
        #expect(h.transport.disconnecting)
    }

    // Item 8
    @Test func connectionIsAborted15SecondsAfterATimeoutUnlessItWentAway() {
        let h = SiteHarness(EchoResource())
        h.clock.advance(60)
        #expect(h.transport.disconnecting)
        #expect(!h.transport.aborted)
        h.clock.advance(15)
        #expect(h.transport.aborted)

        let h2 = SiteHarness(EchoResource())
        h2.clock.advance(60)
        h2.transport.finishLoss(.done)
        h2.clock.advance(15)
        #expect(!h2.transport.aborted)

        var s = HTTPServerSettings()
        s.abortTimeout = nil
        let h3 = SiteHarness(EchoResource(), settings: s)
        h3.clock.advance(1000)
        #expect(h3.transport.disconnecting && !h3.transport.aborted)
    }

    @Test func slowHeadIsAnsweredWith408AfterTheHeaderReadTimeout() {
        let h = SiteHarness(EchoResource())
        h.send("GET / HTTP/1.1\r\n")
        h.clock.advance(10)
        h.send("Host: x\r\n")
        h.clock.advance(10)
        #expect(SiteHarness.statuses(h.take()) == [408])
        #expect(h.transport.disconnecting)
    }

    // Item 9
    @Test func persistenceHTTP10ClosesHTTP11StaysOpenConnectionCloseCloses() {
        let h10 = SiteHarness(EchoResource())
        h10.send("GET / HTTP/1.0\r\n\r\n")
        let o10 = h10.take()
        #expect(o10.contains("Connection: close"))
        #expect(h10.transport.disconnecting)

        let h11 = SiteHarness(EchoResource())
        h11.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(!h11.take().contains("Connection:"))
        #expect(!h11.transport.disconnecting)

        let hc = SiteHarness(EchoResource())
        hc.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: x\r\n\r\n")
        let oc = hc.take()
        #expect(oc.contains("Connection: close"))
        #expect(SiteHarness.statuses(oc) == [200])
        #expect(hc.transport.disconnecting)
    }

    @Test func http10KeepAliveIsHonouredWhenTheLengthIsKnown() {
        let h = SiteHarness(EchoResource())
        h.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(h.take().contains("Connection: keep-alive"))
        #expect(!h.transport.disconnecting)
        let hold = HoldingResource()
        let h2 = SiteHarness(hold)
        h2.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        hold.held[0].write("streamed")
        hold.held[0].finish()
        let out = h2.take()
        #expect(out.contains("Connection: close") && !out.contains("chunked"))
        #expect(h2.transport.disconnecting)
    }

    @Test func closingChannelIgnoresLaterBytes() {
        let echo = EchoResource()
        let h = SiteHarness(echo)
        h.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(echo.seen.count == 1)
    }

    @Test func halfClosedClientStillGetsItsResponsesThenTheConnectionCloses() {
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        #expect(h.channel.wantsHalfClose)
        h.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /partial HTTP/1.1\r\n")
        h.channel.readConnectionLost()
        #expect(!h.transport.disconnecting)
        hold.held[0].writeAndFinish("one")
        #expect(!h.transport.disconnecting)
        hold.held[1].writeAndFinish("two")
        #expect(h.transport.disconnecting, "the partial third request can never complete")
        #expect(SiteHarness.statuses(h.take()) == [200, 200])

        let idle = SiteHarness(EchoResource())
        idle.channel.readConnectionLost()
        #expect(idle.transport.disconnecting)

        let body = SiteHarness(EchoResource())
        body.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        body.channel.readConnectionLost()
        #expect(body.transport.disconnecting)
    }

    @Test func aChannelWithoutASiteHandsRequestsToItsProcessor() {
        var seen: [String] = []
        let channel = HTTPChannel(clock: nil, processor: { request in
            seen.append("\(request.method) \(request.uri) \(request.content.text)")
            request.writeAndFinish("ok")
        })
        let t = StringTransport()
        t.connect(channel)
        t.receive("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        #expect(seen == ["GET /a ", "POST /b abc"])
        #expect(SiteHarness.statuses(t.take()) == [200, 200])
    }

    // Item 29
    @Test func expect100ContinueOnHTTP11GetsContinueBeforeTheResponse() {
        let h = SiteHarness(EchoResource())
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(h.take() == "HTTP/1.1 100 Continue\r\n\r\n")
        h.send("hello")
        #expect(SiteHarness.statuses(h.take()) == [200])

        let h10 = SiteHarness(EchoResource())
        h10.send("POST / HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(h10.take() == "")
    }

    @Test func expect100ContinueWithATooLargeBodyGets413Instead() {
        var s = HTTPServerSettings()
        s.maxBodySize = 3
        let h = SiteHarness(EchoResource(), settings: s)
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(SiteHarness.statuses(h.take()) == [413])
    }

    // Item 30
    @Test func http11ResponsesWithoutLengthAreChunkedAndHTTP10OnesAreNot() {
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        hold.held[0].write("hello")
        hold.held[0].write(ByteBuffer())
        hold.held[0].write(" world")
        hold.held[0].finish()
        #expect(h.take() == "HTTP/1.1 200 OK\r\nServer: Twister\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")

        let hold10 = HoldingResource()
        let h10 = SiteHarness(hold10)
        h10.send("GET / HTTP/1.0\r\n\r\n")
        hold10.held[0].write("hello")
        hold10.held[0].finish()
        #expect(h10.take() == "HTTP/1.1 200 OK\r\nServer: Twister\r\nContent-Type: text/html\r\nConnection: close\r\n\r\nhello")
    }

    @Test func firstWriteWithAContentLengthIsNotChunked() {
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        hold.held[0].setHeader("Content-Length", "5")
        hold.held[0].write("hel")
        hold.held[0].write("lo")
        hold.held[0].finish()
        #expect(h.take() == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: Twister\r\nContent-Type: text/html\r\n\r\nhello")
    }

    @Test func bodiesAreHeldToTheDeclaredContentLength() {
        var sink: [String] = []
        let old = HTTPLog.handler
        HTTPLog.handler = { sink.append($0) }
        defer { HTTPLog.handler = old }
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        hold.held[0].setHeader("Content-Length", "5")
        hold.held[0].write("helloHTTP/1.1 200 OK\r\n")
        hold.held[0].write("more")
        hold.held[0].finish()
        let out = h.take()
        #expect(out.hasSuffix("\r\n\r\nhello"))
        #expect(!h.transport.disconnecting)
        hold.held[1].setHeader("Content-Length", "10")
        hold.held[1].write("short")
        hold.held[1].finish()
        #expect(h.transport.disconnecting, "a short body can only end by closing")
        #expect(sink.count == 3)
        let h2 = SiteHarness(hold)
        h2.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        hold.held.last!.setHeader("Content-Length", "-1")
        hold.held.last!.write("x")
        hold.held.last!.finish()
        let o2 = h2.take()
        #expect(!o2.contains("Content-Length") && o2.contains("chunked"))
    }

    @Test func headResponsesCarryNoBody() {
        let h = SiteHarness(EchoResource())
        h.send("HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let out = h.take()
        #expect(out.hasPrefix("HTTP/1.1 200 OK\r\nServer: Twister\r\nContent-Length: 9\r\nContent-Type: text/html\r\n\r\nHTTP/1.1 200"))
    }

    @Test func responses204And304HaveNoBodyAndNoDefaultContentType() {
        final class Status: Resource {
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                request.setResponseCode(Int(request.postpath[0])!)
                return "ignored"
            }
        }
        let h = SiteHarness(Status())
        h.send("GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(h.take() == "HTTP/1.1 204 No Content\r\nServer: Twister\r\n\r\nHTTP/1.1 304 Not Modified\r\nServer: Twister\r\n\r\n")
    }

    // Item 34
    @Test func finishFiresNotifyFinishAndConnectionLostErrbacksIt() {
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        var fired = 0
        hold.held[0].notifyFinish().addCallback { fired += 1 }
        hold.held[0].finish()
        #expect(fired == 1)
        var lost: Failure?
        hold.held[1].notifyFinish().addErrback { f in lost = f }
        h.transport.finishLoss(.lost("reset"))
        #expect(lost?.error as? ConnectionError == .lost("reset"))
    }

    @Test func writeAfterFinishIsIgnoredWriteAfterLossIsIgnoredFinishAfterLossIsIgnored() {
        var logged: [String] = []
        let old = HTTPLog.handler
        nonisolated(unsafe) var sink: [String] = []
        HTTPLog.handler = { sink.append($0) }
        defer { HTTPLog.handler = old; _ = logged }
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        hold.held[0].writeAndFinish("done")
        _ = h.take()
        hold.held[0].write("more")
        #expect(h.take() == "")
        #expect(sink.count == 1)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        h.transport.finishLoss(.lost("gone"))
        hold.held[1].write("x")
        hold.held[1].finish()
        #expect(h.take() == "")
        logged = sink
    }

    // Item 35
    @Test func channelIsTheTransportsProducerAndPassesPauseToTheResponseProducer() {
        final class Push: Producer {
            var paused = 0, resumed = 0, stopped = 0
            func resumeProducing() { resumed += 1 }
            func pauseProducing() { paused += 1 }
            func stopProducing() { stopped += 1 }
        }
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        #expect(h.transport.producer === h.channel)
        #expect(h.transport.streaming)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let p = Push()
        hold.held[0].registerProducer(p, streaming: true)
        h.transport.pauseRegisteredProducer()
        #expect(p.paused == 1)
        #expect(h.transport.readingPaused)
        h.transport.resumeRegisteredProducer()
        #expect(p.resumed == 1)
        #expect(!h.transport.readingPaused)
        // A second producer is refused (stopped), the first stays.
        nonisolated(unsafe) var sink: [String] = []
        let old = HTTPLog.handler
        HTTPLog.handler = { sink.append($0) }
        defer { HTTPLog.handler = old }
        let second = Push()
        hold.held[0].registerProducer(second, streaming: true)
        #expect(second.stopped == 1 && sink.count == 1)
        #expect(h.channel.responseProducer === p)
        hold.held[0].unregisterProducer()
        // Stays paused if a response completes while paused.
        h.transport.pauseRegisteredProducer()
        hold.held[0].finish()
        #expect(h.transport.readingPaused)
        h.transport.resumeRegisteredProducer()
        // A lost connection stops the producer.
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let p2 = Push()
        hold.held[1].registerProducer(p2, streaming: true)
        h.transport.finishLoss(.lost("x"))
        #expect(p2.stopped == 1)
    }

    @Test func pullProducersAreDrivenUntilTheyUnregister() {
        @ReactorActor final class Pull: Producer {
            let request: Request
            var left = 3
            init(_ r: Request) { request = r }
            func resumeProducing() {
                request.write("piece\(left) ")
                left -= 1
                if left == 0 { request.unregisterProducer(); request.finish() }
            }
            func stopProducing() {}
        }
        let hold = HoldingResource()
        let h = SiteHarness(hold)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        hold.held[0].registerProducer(Pull(hold.held[0]), streaming: false)
        let out = h.take()
        #expect(out.contains("piece3 ") && out.contains("piece1 ") && out.hasSuffix("0\r\n\r\n"))
    }

    @Test func loseConnectionUnregistersTheChannelFromTheTransport() {
        let h = SiteHarness(EchoResource())
        h.send("GET / HTTP/1.0\r\n\r\n")
        #expect(h.transport.disconnecting)
        #expect(h.transport.producer == nil)
    }

    // Item 36
    @Test func responseHeadersWithCRorLFAreRefused() {
        nonisolated(unsafe) var sink: [String] = []
        let old = HTTPLog.handler
        HTTPLog.handler = { sink.append($0) }
        defer { HTTPLog.handler = old }
        final class Inject: Resource {
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                request.setHeader("X-Ok", "fine")
                request.setHeader("X-Bad", "a\r\nSet-Cookie: evil=1")
                request.setHeader("X-Bad2\r\nEvil", "v")
                request.setResponseCode(200, message: "OK\r\nEvil: 1")
                return "body"
            }
        }
        let h = SiteHarness(Inject())
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let out = h.take()
        #expect(out.contains("X-Ok: fine"))
        #expect(!out.contains("evil") && !out.contains("\r\nEvil"))
        #expect(out.hasPrefix("HTTP/1.1 200 OK  Evil: 1\r\n"))
        #expect(sink.count == 2)
    }

    // Item 37
    @Test func setLastModifiedKeepsTheMaximumAndReturnsCached() {
        let r = Request(headers: ["If-Modified-Since": HTTPDate.format(2000)])
        #expect(r.setLastModified(1000) == .cached)
        #expect(r.setLastModified(3000) == .proceed)
        #expect(r.setLastModified(1500) == .proceed)
        #expect(r.responseHeaders["Last-Modified"] == HTTPDate.format(3000))
    }

    @Test func setResponseCodeKnows418AndCustomMessages() {
        let r = Request()
        r.setResponseCode(418)
        r.finish()
        #expect(String(buffer: r.detachedOutput).hasPrefix("HTTP/1.1 418 I'm a teapot\r\n"))
    }

    @Test func dateHeaderIsSentAndCachedPerSecond() {
        let h = SiteHarness(EchoResource())
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let raw = h.transport.take()
        #expect(raw.contains("Date: ") && raw.contains(" GMT\r\n"))
    }
}
