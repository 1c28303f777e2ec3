import Testing
@testable import TwisterProtocols

/// Every reply the parser returns for `chunks` fed in order (keepRemainder after each chunk, as the client does).
func parseMemCache(_ chunks: [ByteBuffer], maxLineLength: Int = 16384) throws(MemCacheError) -> [MemCacheReply] {
    var p = MemCacheParser(maxLineLength: maxLineLength)
    var out: [MemCacheReply] = []
    for c in chunks {
        p.append(c)
        while let r = try p.next() { out.append(r) }
        p.keepRemainder()
    }
    return out
}

@Suite struct MemCacheParserTests {
    static let everyReply = "VALUE a 5 3 77\r\nabc\r\nVALUE b 0 4\r\n\r\n\r\n\r\nEND\r\nSTORED\r\nNOT_STORED\r\nEXISTS\r\n"
        + "NOT_FOUND\r\nDELETED\r\nTOUCHED\r\nOK\r\n42\r\nSTAT pid 7\r\nSTAT x y z\r\nSTAT empty\r\nVERSION 1.6.18\r\n"
        + "ERROR\r\nCLIENT_ERROR bad data chunk\r\nSERVER_ERROR out of memory\r\nEND\r\n"

    static let expected: [MemCacheReply] = [
        .value(key: "a", flags: 5, data: "abc", cas: 77), .value(key: "b", flags: 0, data: "\r\n\r\n", cas: nil), .end,
        .stored, .notStored, .exists, .notFound, .deleted, .touched, .ok, .number(42),
        .stat(name: "pid", value: "7"), .stat(name: "x", value: "y z"), .stat(name: "empty", value: ""),
        .version("1.6.18"), .error, .clientError("bad data chunk"), .serverError("out of memory"), .end,
    ]

    @Test func everyReplyAtEverySplit() throws {
        for chunks in everySplit(bytes(Self.everyReply)) {
            #expect(try parseMemCache(chunks) == Self.expected)
        }
    }

    @Test func aValueWaitsForItsWholeDataBlockAndItsCRLF() throws {
        var p = MemCacheParser()
        p.append("VALUE k 0 5\r\nab")
        #expect(try p.next() == nil)
        p.keepRemainder()
        p.append("cde\r")
        #expect(try p.next() == nil)
        p.append("\n")
        #expect(try p.next() == .value(key: "k", flags: 0, data: "abcde", cas: nil))
        #expect(p.isIdle)
    }

    @Test func aBareLineFeedBelongsToTheLine() throws {
        #expect(try parseMemCache(["VERSION a\nb\r\n"]) == [.version("a\nb")])
    }

    @Test func theRemainderIsCopiedOutOfTheCallersBuffer() throws {
        var p = MemCacheParser()
        var read = ByteBuffer(string: "STORED\r\nEN")
        p.append(read)
        #expect(try p.next() == .stored)
        #expect(try p.next() == nil)
        p.keepRemainder()
        read.clear()
        read.writeString("XXXX")   // the caller reuses its buffer
        p.append("D\r\n")
        #expect(try p.next() == .end)
    }

    @Test(arguments: ["HELLO\r\n", "VALUE k x 1\r\n", "VALUE k 0\r\n", "VALUE k 0 3 12 extra\r\n", "VALUE  0 3\r\n",
                      "VALUE k 0 99999999999\r\n", "VALUE k 0 3\r\nabcXY", "12abc\r\n", "STAT\r\n", "\r\n"])
    func malformedRepliesAreViolations(_ garbage: String) {
        #expect(throws: MemCacheError.self) { try parseMemCache([ByteBuffer(string: garbage)]) }
        do { _ = try parseMemCache([ByteBuffer(string: garbage)]) } catch {
            guard case .protocolViolation = error else { Issue.record("\(garbage): \(error)"); return }
        }
    }

    @Test func aLineLongerThanTheLimitIsAViolationBeforeItEnds() {
        do {
            _ = try parseMemCache([ByteBuffer(string: "VALUE " + String(repeating: "x", count: 200))], maxLineLength: 100)
            Issue.record("expected a violation")
        } catch {
            guard case .protocolViolation(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("longer than 100"))
        }
    }

    @Test func repliesDescribeThemselvesAsTheirFirstLine() {
        #expect(MemCacheReply.value(key: "k", flags: 1, data: "ab", cas: 9).description == "VALUE k 1 2 9")
        #expect(MemCacheReply.notStored.description == "NOT_STORED")
        #expect(MemCacheReply.number(3).description == "3")
    }
}
