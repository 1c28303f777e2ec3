import Testing
@testable import TwisterProtocols
import TwisterTesting

/// Commands are encoded straight into one reused buffer; these pin the exact bytes on the wire.
@Suite @ReactorActor struct RedisEncodingTests {
    func connected() -> (RedisProtocol, StringTransport) {
        let r = RedisProtocol()
        let t = StringTransport()
        r.makeConnection(t)
        return (r, t)
    }

    @Test func getAndSetWriteTheRESPArraysRedisExpects() {
        let (r, t) = connected()
        _ = r.get("user:1")
        _ = r.set("k", "hello")
        _ = r.set("k", RedisArgument(ByteBuffer(bytes: [0, 13, 10])), expire: .seconds(10), condition: .ifNotExists)
        #expect(String(buffer: t.written) ==
            "*2\r\n$3\r\nGET\r\n$6\r\nuser:1\r\n" +
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n" +
            "*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\0\r\n\r\n$2\r\nEX\r\n$2\r\n10\r\n$2\r\nNX\r\n")
        #expect(r.pendingCount == 3)
    }

    @Test func integerArgumentsAreWrittenInDecimalWithTheirSign() {
        let (r, t) = connected()
        _ = r.execute(["X", 0, -7, RedisArgument(Int64.min), RedisArgument(UInt64.max), RedisArgument(1234567890)])
        #expect(String(buffer: t.written) ==
            "*6\r\n$1\r\nX\r\n$1\r\n0\r\n$2\r\n-7\r\n$20\r\n-9223372036854775808\r\n$20\r\n18446744073709551615\r\n$10\r\n1234567890\r\n")
    }

    @Test func nonASCIIStringsCountBytesNotCharacters() {
        let (r, t) = connected()
        let accented = "caf\u{E9}"  // 5 UTF-8 bytes, 4 characters
        _ = r.get(RedisArgument(accented))
        #expect(String(buffer: t.written) == "*2\r\n$3\r\nGET\r\n$5\r\ncaf\u{E9}\r\n")
    }

    @Test func argumentsCompareAndHashByTheirBytes() {
        #expect(RedisArgument("12") == RedisArgument(12))
        #expect(RedisArgument(ByteBuffer(string: "a")) == "a")
        #expect(Set<RedisArgument>(["1", 1, RedisArgument(ByteBuffer(string: "1"))]).count == 1)
        #expect(RedisArgument(-3).bytes == ByteBuffer(string: "-3"))
        #expect(RedisArgument(2.5).description == "2.5")
    }

    @Test func typedRepliesFireTheirDeferredsDirectly() throws {
        let (r, _) = connected()
        let g = r.get("a"), missing = r.get("b"), s = r.set("c", "d"), nx = r.set("c", "e", condition: .ifNotExists)
        let n = r.incr("n"), bad = r.incr("s"), wrong = r.get("h")
        r.dataReceived(ByteBuffer(string: "$2\r\nhi\r\n$-1\r\n+OK\r\n$-1\r\n:5\r\n-ERR not an integer\r\n*0\r\n"))
        #expect(g.result.flatMap { try? $0.get() } == ByteBuffer(string: "hi"))
        #expect(try missing.result?.get() == .some(nil))
        #expect(try s.result?.get() == true)
        #expect(try nx.result?.get() == false)
        #expect(try n.result?.get() == 5)
        guard case .failure(let f)? = bad.result, case RedisError.server(let text)? = f.error as? RedisError else {
            Issue.record("INCR on a string should fail with the server's text"); return
        }
        #expect(text == "ERR not an integer")
        guard case .failure(let w)? = wrong.result, case RedisError.unexpectedReply? = w.error as? RedisError else {
            Issue.record("an array in place of a string should fail with unexpectedReply"); return
        }
        #expect(r.pendingCount == 0)
    }

    @Test func commandsAfterTheConnectionEndedFailWithNotConnected() {
        let r = RedisProtocol()
        let d = r.get("k")
        guard case .failure(let f)? = d.result, case RedisError.notConnected? = f.error as? RedisError else {
            Issue.record("expected notConnected"); return
        }
    }
}

@Suite struct FIFOQueueTests {
    @Test func popsInOrderAcrossWrapAroundAndGrowth() {
        var q = FIFOQueue<Int>()
        var expected: [Int] = []
        var next = 0
        // Interleave pushes and pops so the head wraps around the ring several times while it grows.
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 3) { q.append(next); expected.append(next); next += 1 }
            for _ in 0..<(round % 5 + 1) {
                #expect(q.popFirst() == expected.removeFirst())
            }
            #expect(q.count == expected.count)
            #expect(q.first == expected.first)
        }
        #expect(q.removeAll() == expected)
        #expect(q.isEmpty && q.popFirst() == nil)
    }

    @Test func firstCanBeReplacedInPlace() {
        var q = FIFOQueue<String>()
        q.append(contentsOf: ["a", "b"])
        q.first = "z"
        #expect(q.contains { $0 == "b" } && !q.contains { $0 == "a" })
        #expect(q.popFirst() == "z" && q.popFirst() == "b")
    }

    final class Token {}

    @Test func aPoppedElementIsReleasedAsSoonAsTheCallerDropsIt() {
        var q = FIFOQueue<Token>()
        weak var w: Token?
        do {
            let t = Token()
            w = t
            q.append(t)
            q.append(Token())
        }
        _ = q.popFirst()
        #expect(w == nil)
        #expect(q.count == 1)
    }
}
