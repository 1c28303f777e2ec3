import Testing
@testable import TwisterProtocols

func parseAll(_ chunks: [ByteBuffer]) throws -> [RedisValue] {
    var p = RedisParser()
    var out: [RedisValue] = []
    for c in chunks {
        p.append(c)
        while let v = try p.next() { out.append(v) }
    }
    return out
}

@Suite struct RedisParserTests {
    static let everyType = "+OK\r\n-ERR bad thing\r\n:-42\r\n$5\r\nhe\r\no\r\n$0\r\n\r\n$-1\r\n*-1\r\n_\r\n"
        + "*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n*0\r\n"
        + "%2\r\n+k1\r\n:1\r\n$2\r\nk2\r\n~2\r\n#t\r\n#f\r\n"
        + ",3.5\r\n,-inf\r\n,inf\r\n(3492890328409238509324850943850943825024385\r\n"
        + "=15\r\ntxt:Some string\r\n!9\r\nSYNTAX no\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
        + "|1\r\n+ttl\r\n:3600\r\n$3\r\nval\r\n"

    static let expected: [RedisValue] = [
        .simpleString("OK"), .error("ERR bad thing"), .integer(-42), .bulkString("he\r\no"), .bulkString(""), .null, .null, .null,
        .array([.integer(1), .array([.simpleString("a"), .bulkString("b")]), .array([])]),
        .map([RedisPair(.simpleString("k1"), .integer(1)), RedisPair(.bulkString("k2"), .set([.boolean(true), .boolean(false)]))]),
        .double(3.5), .double(-.infinity), .double(.infinity), .bigNumber("3492890328409238509324850943850943825024385"),
        .verbatim(format: "txt", text: "Some string"), .error("SYNTAX no"),
        .push([.bulkString("message"), .bulkString("ch"), .bulkString("hi")]),
        .bulkString("val"),
    ]

    @Test func everyRESPTypeAtEverySplit() throws {
        let input = bytes(Self.everyType)
        for chunks in everySplit(input) {
            #expect(try parseAll(chunks) == Self.expected)
        }
    }

    @Test func attributesAreReportedWithTheNextValue() throws {
        var p = RedisParser()
        p.append("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n+next\r\n")
        #expect(try p.next() == .array([.integer(2)]))
        #expect(p.attributes == [RedisPair(.simpleString("key-popularity"), .map([RedisPair(.bulkString("a"), .double(0.19))]))])
        #expect(try p.next() == .simpleString("next"))
        #expect(p.attributes == nil)
        #expect(p.isIdle)
    }

    @Test func nanDoubleAndHugeArrayCountsAreHandled() throws {
        var p = RedisParser()
        p.append(",nan\r\n")
        guard case .double(let d)? = try p.next() else { Issue.record("no double"); return }
        #expect(d.isNaN)
        // A large announced count does not preallocate: it just waits for elements.
        p.append("*2000000000\r\n:1\r\n")
        #expect(try p.next() == nil)
    }

    @Test(arguments: ["?x\r\n", "+OK\n", ":12a\r\n", ":\r\n", "$abc\r\n", "$-5\r\n", "$3\r\nabcd\r\n", "*-2\r\n", "#x\r\n",
                      ",notanumber\r\n", "(12x\r\n", "_x\r\n", "=2\r\nab\r\n", ":99999999999999999999\r\n", "$600000000\r\n"])
    func garbageIsAProtocolViolation(_ input: String) {
        var p = RedisParser()
        p.append(ByteBuffer(string: input))
        #expect(throws: RedisError.self) { while try p.next() != nil {} }
    }

    @Test func limitsStopHostileInput() {
        var p = RedisParser()
        p.maxLineLength = 100
        p.append(ByteBuffer(string: "+" + String(repeating: "x", count: 200)))
        #expect(throws: RedisError.self) { _ = try p.next() }
        var q = RedisParser()
        q.maxDepth = 10
        q.append(ByteBuffer(string: String(repeating: "*1\r\n", count: 11)))
        #expect(throws: RedisError.self) { _ = try q.next() }
    }

    @Test func largeBulkArrivingInPiecesIsNotRescanned() throws {
        var p = RedisParser()
        let payload = String(repeating: "z", count: 100_000)
        let wire = "$100000\r\n" + payload + "\r\n"
        var chunks = Array(wire.utf8)[...]
        while !chunks.isEmpty {
            let n = min(1000, chunks.count)
            p.append(ByteBuffer(bytes: chunks.prefix(n)))
            chunks = chunks.dropFirst(n)
            if let v = try p.next() { #expect(v.string == payload); #expect(chunks.isEmpty) }
        }
    }
}
