import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

@ReactorActor
final class NetstringRecorder: NetstringReceiver {
    var strings: [String] = []
    override func stringReceived(_ string: ByteBuffer) { strings.append(String(buffer: string)) }
}

@ReactorActor
final class Int16Recorder: Int16StringReceiver {
    var strings: [String] = []
    var limit: [Int] = []
    var onString: ((Int16Recorder, String) -> Void)?
    override func stringReceived(_ string: ByteBuffer) { strings.append(String(buffer: string)); onString?(self, String(buffer: string)) }
    override func lengthLimitExceeded(_ length: Int) { limit.append(length); super.lengthLimitExceeded(length) }
}

@Suite @ReactorActor struct FramingStringReceiverTests {
    @Test func netstringsAtEverySplit() {
        for chunks in everySplit(bytes("5:hello,0:,12:hello world!,1:x")) {
            let p = NetstringRecorder()
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.strings == ["hello", "", "hello world!"])
            #expect(!p.brokenPeer && !t.disconnecting)
        }
    }

    @Test(arguments: ["01:x,", ":x,", "a:x,", "3:abc;", "1x:a,", "100000:", "9999999", "-1:x,", " 1:x,", "3:abcd,"])
    func malformedNetstringsBreakThePeer(_ input: String) {
        for chunks in everySplit(bytes("2:ok," + input)) {
            let p = NetstringRecorder()
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.brokenPeer, "\(input)")
            #expect(t.disconnecting)
            #expect(p.strings == ["ok"])
            t.receive("1:z,")
            #expect(p.strings == ["ok"])
        }
    }

    @Test func netstringMaxLengthIsRespectedAndSendStringFrames() {
        let p = NetstringRecorder()
        p.maxLength = 10
        let t = StringTransport()
        t.connect(p)
        t.receive("10:0123456789,")
        #expect(p.strings == ["0123456789"])
        t.receive("11:")
        #expect(p.brokenPeer)
        let q = NetstringRecorder()
        let t2 = StringTransport()
        t2.connect(q)
        q.sendString("hello")
        q.sendString("")
        #expect(t2.take() == "5:hello,0:,")
    }

    @Test func int16StringsAtEverySplit() throws {
        let payload = [0, 5] + bytes("hello") + [0, 0] + [1, 0] + Array(repeating: UInt8(ascii: "z"), count: 256) + [0, 2] + bytes("x")
        for chunks in everySplit(payload) {
            let p = Int16Recorder()
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.strings == ["hello", "", String(repeating: "z", count: 256)])
        }
    }

    @Test func intNPrefixesAndLimitsBothWays() throws {
        @ReactorActor final class R8: Int8StringReceiver { var s: [ByteBuffer] = []; override func stringReceived(_ x: ByteBuffer) { s.append(x) } }
        @ReactorActor final class R32: Int32StringReceiver { var s: [ByteBuffer] = []; override func stringReceived(_ x: ByteBuffer) { s.append(x) } }
        let p8 = R8()
        let t8 = StringTransport()
        t8.connect(p8)
        try p8.sendString("abc")
        #expect(t8.takeBytes() == ByteBuffer(bytes: [3] + bytes("abc")))
        #expect(throws: StringTooLongError(length: 256, prefixLength: 1)) {
            try p8.sendString(ByteBuffer(bytes: Array(repeating: 0, count: 256)))
        }
        try p8.sendString(ByteBuffer(bytes: Array(repeating: 0, count: 255)))
        #expect(t8.takeBytes().readableBytes == 256)

        let p16 = Int16Recorder()
        let t16 = StringTransport()
        t16.connect(p16)
        #expect(throws: StringTooLongError.self) { try p16.sendString(ByteBuffer(bytes: Array(repeating: 0, count: 65536))) }
        #expect(t16.written.isEmpty)

        let p32 = R32()
        let t32 = StringTransport()
        t32.connect(p32)
        try p32.sendString("hey")
        #expect(t32.takeBytes() == ByteBuffer(bytes: [0, 0, 0, 3] + bytes("hey")))
        for chunks in everySplit([0, 0, 0, 2] + bytes("ab") + [0, 0, 0, 0]) {
            let p = R32()
            let t = StringTransport()
            t.connect(p)
            for c in chunks { t.receive(c) }
            #expect(p.s == ["ab", ""])
        }
        // Incoming over maxLength (99999 by default): 0x000186A0 = 100000.
        let big = R32()
        let tb = StringTransport()
        tb.connect(big)
        tb.receive(ByteBuffer(bytes: [0, 1, 0x86, 0xA0]))
        #expect(tb.disconnecting)
        tb.receive(ByteBuffer(bytes: [0, 0, 0, 1, 65]))
        #expect(big.s.isEmpty)
    }

    @Test func intNLengthLimitExceededAndPause() {
        let p = Int16Recorder()
        p.maxLength = 3
        let t = StringTransport()
        t.connect(p)
        t.receive(ByteBuffer(bytes: [0, 3] + bytes("abc") + [0, 4] + bytes("abcd")))
        #expect(p.strings == ["abc"] && p.limit == [4] && t.disconnecting)

        let q = Int16Recorder()
        let t2 = StringTransport()
        t2.connect(q)
        q.onString = { q, s in if s == "p" { q.pauseProducing() } }
        t2.receive(ByteBuffer(bytes: [0, 1] + bytes("p") + [0, 1] + bytes("a") + [0, 1] + bytes("b")))
        #expect(q.strings == ["p"] && t2.readingPaused)
        q.resumeProducing()
        #expect(q.strings == ["p", "a", "b"])
    }

    @Test func fileSenderSendsChunksAndFiresWithLastByte() throws {
        let path = NSTemporaryDirectory() + "twister-filesender-\(UInt32.random(in: 0...UInt32.max))"
        let content = (0..<40000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(content))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fh = try #require(FileHandle(forReadingAtPath: path))
        let t = StringTransport()
        let sender = FileSender()
        let d = sender.beginFileTransfer(fh, consumer: t)
        #expect(t.producer === sender && !t.streaming)
        var rounds = 0
        while t.producer != nil && rounds < 100 { t.resumeRegisteredProducer(); rounds += 1 }
        #expect(rounds == 4)  // 16384 + 16384 + 7232, then EOF
        #expect(Array(t.written.readableBytesView) == content)
        guard case .success(let last)? = d.result else { Issue.record("not fired"); return }
        #expect(last == content.last)

        // With a transform, and stopped midway.
        let fh2 = try #require(FileHandle(forReadingAtPath: path))
        let t2 = StringTransport()
        let s2 = FileSender()
        let d2 = s2.beginFileTransfer(fh2, consumer: t2) { b in ByteBuffer(bytes: b.readableBytesView.map { $0 ^ 0xFF }) }
        t2.resumeRegisteredProducer()
        #expect(Array(t2.written.readableBytesView) == content[..<16384].map { $0 ^ 0xFF })
        s2.stopProducing()
        #expect(t2.producer == nil)
        var err: (any Error)?
        _ = d2.addErrback { f in err = f.error; return nil }
        #expect(err as? FileSenderError == .consumerStopped)
    }

    @Test func fileSenderEmptyFileFiresWithNil() throws {
        let path = NSTemporaryDirectory() + "twister-filesender-empty-\(UInt32.random(in: 0...UInt32.max))"
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = StringTransport()
        let d = FileSender().beginFileTransfer(try #require(FileHandle(forReadingAtPath: path)), consumer: t)
        t.resumeRegisteredProducer()
        guard case .success(let last)? = d.result else { Issue.record("not fired"); return }
        #expect(last == nil)
    }
}
