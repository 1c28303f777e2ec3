import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// Streaming request bodies and answering before the body (reference §4: Twisted buffers every body and cannot
/// refuse a 100-continue; we can).
@Suite("Request body streaming") @ReactorActor
struct ServerBodyStreamingTests {
    final class Upload: Resource, RequestBodyStreamer {
        var pieces: [String] = []
        var finished = false
        var refuseOver: Int?
        override var isLeaf: Bool { true }
        override var allowedMethods: [String] { ["POST"] }
        override func bodyStreamer(for request: Request) -> (any RequestBodyStreamer)? {
            if let limit = refuseOver, let n = request.getHeader("Content-Length").flatMap(Int.init), n > limit {
                request.setResponseCode(413)
                request.writeAndFinish("too big for me")
                return nil
            }
            return self
        }
        func bodyDataReceived(_ data: ByteBuffer) { pieces.append(String(buffer: data)) }
        func bodyFinished() { finished = true }
        override func renderPOST(_ request: Request) throws -> RenderResult {
            .text("got \(pieces.joined().count) bytes in \(pieces.count) pieces, content=\(request.content.count)")
        }
    }

    @Test func aResourceCanReceiveTheBodyAsItArrives() {
        let up = Upload()
        let h = SiteHarness(up)
        h.send("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        #expect(up.pieces == ["abc"])
        h.send("2\r\nde\r\n")
        #expect(up.pieces == ["abc", "de"])
        #expect(!up.finished)
        h.send("0\r\n\r\n")
        #expect(up.finished)
        #expect(h.take().hasSuffix("got 5 bytes in 2 pieces, content=0"))
    }

    @Test func pausingReadingForAStreamedBodySuspendsTheIdleTimeout() {
        final class Slow: Resource, RequestBodyStreamer {
            var request: Request?
            override var isLeaf: Bool { true }
            override var allowedMethods: [String] { ["POST"] }
            override func bodyStreamer(for request: Request) -> (any RequestBodyStreamer)? {
                self.request = request
                request.pauseReading()
                return self
            }
            func bodyDataReceived(_ data: ByteBuffer) {}
            func bodyFinished() {}
            override func renderPOST(_ request: Request) throws -> RenderResult { "done" }
        }
        let slow = Slow()
        let h = SiteHarness(slow)
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n")
        #expect(h.transport.readingPaused)
        h.clock.advance(300)
        #expect(!h.transport.disconnecting)
        slow.request!.resumeReading()
        #expect(!h.transport.readingPaused)
        h.send("abc")
        #expect(h.take().hasSuffix("done"))
        h.clock.advance(61)
        #expect(h.transport.disconnecting)
    }

    @Test func aResourceCanRefuseAnExpect100ContinueBodyBeforeItIsSent() {
        let up = Upload()
        up.refuseOver = 10
        let h = SiteHarness(up)
        h.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
        let out = h.take()
        #expect(!out.contains("100 Continue"))
        #expect(SiteHarness.statuses(out) == [413])
        #expect(out.contains("Connection: close"))
        #expect(h.transport.disconnecting)
        h.send(String(repeating: "x", count: 100))
        #expect(up.pieces.isEmpty)
    }

    @Test func bufferedBodiesStillGetTraversalBeforeTheBody() {
        let echo = EchoResource()
        let h = SiteHarness(echo)
        h.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        #expect(h.take() == "HTTP/1.1 100 Continue\r\n\r\n")
        h.send("abcd")
        #expect(h.take().hasSuffix("abcd"))
    }
}
