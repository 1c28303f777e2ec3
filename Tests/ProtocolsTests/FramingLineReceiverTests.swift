import Testing
@testable import TwisterProtocols
import TwisterTesting

/// Records lines and raw data; can be told to switch modes on a given line.
@ReactorActor
final class LineRecorder: LineReceiver {
    var events: [String] = []
    var exceeded: [String] = []
    /// A line of the form "RAW n" switches to raw mode for n bytes, then back to line mode.
    var rawRemaining = 0
    var rawCollected = ByteBuffer()
    var onLine: ((LineRecorder, String) -> Void)?

    override func lineReceived(_ line: ByteBuffer) {
        let s = String(buffer: line)
        events.append("line:" + s)
        if s.hasPrefix("RAW ") {
            rawRemaining = Int(s.dropFirst(4))!
            setRawMode()
        }
        onLine?(self, s)
    }
    override func rawDataReceived(_ data: ByteBuffer) {
        var d = data
        let take = min(rawRemaining, d.readableBytes)
        rawCollected.writeImmutableBuffer(d.readSlice(length: take)!)
        rawRemaining -= take
        if rawRemaining == 0 {
            events.append("raw:" + String(buffer: rawCollected))
            rawCollected.clear()
            setLineMode(d)
        }
    }
    override func lineLengthExceeded(_ line: ByteBuffer) {
        exceeded.append(String(buffer: line))
        super.lineLengthExceeded(line)
    }
}

@Suite @ReactorActor struct FramingLineReceiverTests {
    @Test func linesAtEverySplit() {
        let input = bytes("hello\r\nworld\r\n\r\nlast line\r\npartial")
        for chunks in everySplit(input) {
            let p = LineRecorder()
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.events == ["line:hello", "line:world", "line:", "line:last line"])
        }
    }

    @Test func rawModeAndBackReparsesLeftoverAtEverySplit() {
        let input = bytes("a\r\nRAW 5\r\n12\r\n4b\r\nc\r\nRAW 3\r\nxyzRAW 0\r\nd\r\n")
        for chunks in everySplit(input) {
            let p = LineRecorder()
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            // RAW 0 switches to raw mode with nothing to read: raw data is whatever arrives next.
            #expect(Array(p.events.prefix(6)) == ["line:a", "line:RAW 5", "raw:12\r\n4", "line:b", "line:c", "line:RAW 3"], "\(chunks.count)")
            #expect(p.events.count >= 8 && p.events[6] == "raw:xyz" && p.events[7] == "line:RAW 0")
        }
    }

    @Test func customDelimiterAtEverySplit() {
        let input = bytes("one\nt\rwo\nthree\n")
        for chunks in everySplit(input) {
            let p = LineRecorder()
            p.delimiter = [10]
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.events == ["line:one", "line:t\rwo", "line:three"])
        }
    }

    @Test func multiByteDelimiterOverlapsAreFound() {
        let p = LineRecorder()
        p.delimiter = bytes("ab")
        let t = StringTransport()
        t.connect(p)
        for b in bytes("xaaab") { t.receive(ByteBuffer(bytes: [b])) }
        #expect(p.events == ["line:xaa"])
    }

    @Test func tooLongLineWithDelimiterGoesToLineLengthExceeded() {
        let p = LineRecorder()
        p.maxLength = 5
        let t = StringTransport()
        t.connect(p)
        t.receive("12345\r\n123456\r\nmore\r\n")
        #expect(p.events == ["line:12345"])
        #expect(p.exceeded == ["123456\r\nmore\r\n"])
        #expect(t.disconnecting)
    }

    @Test func tooLongUnterminatedLineAtEverySplit() {
        for chunks in everySplit(bytes("123456\r")) {
            let p = LineRecorder()
            p.maxLength = 5
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.exceeded.joined() == "123456\r")
            #expect(t.disconnecting)
        }
        // Exactly maxLength bytes plus half a delimiter is not yet too long.
        let p = LineRecorder()
        p.maxLength = 5
        let t = StringTransport()
        t.connect(p)
        t.receive("12345\r")
        #expect(p.exceeded.isEmpty && !t.disconnecting)
        t.receive("\n")
        #expect(p.events == ["line:12345"])
    }

    @Test func pausedLinesWaitAndResumeDelivers() {
        let p = LineRecorder()
        let t = StringTransport()
        t.connect(p)
        p.onLine = { p, s in if s == "pause" { p.pauseProducing() } }
        t.receive("a\r\npause\r\nb\r\nc\r\n")
        #expect(p.events == ["line:a", "line:pause"])
        #expect(t.readingPaused)
        t.receive("d\r\n")
        #expect(p.events.count == 2)
        p.resumeProducing()
        #expect(!t.readingPaused)
        #expect(p.events == ["line:a", "line:pause", "line:b", "line:c", "line:d"])
    }

    @Test func stopsDispatchingOnceTransportIsDisconnecting() {
        let p = LineRecorder()
        let t = StringTransport()
        t.connect(p)
        p.onLine = { p, s in if s == "quit" { p.transport?.loseConnection() } }
        t.receive("a\r\nquit\r\nb\r\n")
        #expect(p.events == ["line:a", "line:quit"])
    }

    @Test func reentrantDataIsBufferedAndParsedInOrder() {
        let p = LineRecorder()
        let t = StringTransport()
        t.connect(p)
        p.onLine = { p, s in if s == "inject" { p.dataReceived("x\r\n") } }
        t.receive("inject\r\ny\r\n")
        #expect(p.events == ["line:inject", "line:y", "line:x"])
    }

    @Test func sendLineAndClearLineBuffer() {
        let p = LineRecorder()
        let t = StringTransport()
        t.connect(p)
        p.sendLine("hi")
        p.sendLine(ByteBuffer(bytes: [0, 1]))
        #expect(t.takeBytes() == ByteBuffer(bytes: bytes("hi\r\n") + [0, 1, 13, 10]))
        t.receive("partial")
        #expect(String(buffer: p.clearLineBuffer()) == "partial")
        t.receive("\r\n")
        #expect(p.events == ["line:"])
    }

    @Test func setLineModeFromOutsideParsesExtra() {
        let p = LineRecorder()
        let t = StringTransport()
        t.connect(p)
        p.setRawMode()
        p.setLineMode("l1\r\nl2\r\n")
        #expect(p.events == ["line:l1", "line:l2"])
    }

    @Test func lineOnlyReceiverAtEverySplit() {
        final class R: LineOnlyReceiver {
            var lines: [String] = []
            var exceeded: [String] = []
            override func lineReceived(_ line: ByteBuffer) { lines.append(String(buffer: line)) }
            override func lineLengthExceeded(_ line: ByteBuffer) { exceeded.append(String(buffer: line)); super.lineLengthExceeded(line) }
        }
        for chunks in everySplit(bytes("alpha\r\n\r\nbeta\r\ngam")) {
            let p = R()
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.lines == ["alpha", "", "beta"])
        }
        let p = R()
        p.maxLength = 3
        let t = StringTransport()
        t.connect(p)
        t.receive("abc\r\nabcd\r\nz\r\n")
        #expect(p.lines == ["abc"] && p.exceeded == ["abcd"] && t.disconnecting)
        let q = R()
        q.maxLength = 3
        let t2 = StringTransport()
        t2.connect(q)
        t2.receive("abc\r")
        #expect(q.exceeded.isEmpty)
        t2.receive("x")
        #expect(q.exceeded == ["abc\rx"])
    }
}
