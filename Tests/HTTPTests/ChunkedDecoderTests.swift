import Testing
@testable import TwisterHTTP
import TwisterProtocols

/// The chunked decoder shared by the server (strict, trailers discarded) and the client (lenient, trailers
/// delivered).
@Suite struct ChunkedDecoderTests {
    static let server = ChunkedDecoder.Policy(strict: true, maxSizeLineLength: 1024, maxTrailerLineLength: .max,
                                              maxTrailerSize: 64 * 1024, deliversTrailers: false)
    static let client = ChunkedDecoder.Policy(strict: false, maxSizeLineLength: 1024, maxTrailerLineLength: 16 * 1024,
                                              maxTrailerSize: 16 * 1024, deliversTrailers: true)

    struct Outcome: Equatable {
        var body = ""
        var trailers: [String] = []
        var ended = false
        var leftover = ""
        var defect: ChunkedDecoder.Defect?
    }

    /// Feeds `pieces` one after another into one growing buffer, draining events after each.
    func decode(_ pieces: [String], _ policy: ChunkedDecoder.Policy, maxBodySize: Int = .max) -> Outcome {
        var d = ChunkedDecoder(policy: policy)
        d.maxBodySize = maxBodySize
        var out = Outcome()
        var buffer = ByteBuffer()
        var received = 0
        do {
            for piece in pieces {
                buffer.writeString(piece)
                while let e = try d.next(&buffer) {
                    switch e {
                    case .data(let b): out.body += String(buffer: b); received += b.readableBytes
                    case .trailer(let b): out.trailers.append(String(buffer: b))
                    case .end: out.ended = true
                    }
                }
            }
        } catch {
            out.defect = error
        }
        #expect(received == d.received)
        #expect(d.isDone == out.ended)
        out.leftover = String(buffer: buffer)
        return out
    }

    func decode(_ s: String, _ policy: ChunkedDecoder.Policy, maxBodySize: Int = .max) -> Outcome {
        decode([s], policy, maxBodySize: maxBodySize)
    }

    static func describe(_ e: ChunkedDecoder.Event) -> String {
        switch e {
        case .data(let b): return "data " + String(buffer: b)
        case .trailer(let b): return "trailer " + String(buffer: b)
        case .end: return "end"
        }
    }

    @Test func everySplitOfABodyGivesTheSameResult() {
        let s = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Checksum: 42\r\nY: z\r\n\r\nNEXT"
        for policy in [Self.server, Self.client] {
            let whole = decode(s, policy)
            #expect(whole.body == "hello, world")
            #expect(whole.ended)
            #expect(whole.leftover == "NEXT")
            #expect(whole.trailers == (policy.deliversTrailers ? ["X-Checksum: 42", "Y: z"] : []))
            let bytes = Array(s.utf8)
            for i in 0...bytes.count {
                for j in i...bytes.count {
                    let parts = [bytes[0..<i], bytes[i..<j], bytes[j...]].map { String(decoding: $0, as: UTF8.self) }
                    #expect(decode(parts, policy) == whole, "split at \(i), \(j)")
                }
            }
        }
    }

    @Test func piecesAreHandedOverAsTheyArriveAndNothingAfterTheEndIsConsumed() throws {
        var d = ChunkedDecoder(policy: Self.server)
        var buffer = ByteBuffer(string: "a\r\n01234")
        guard case .data(let piece)? = try d.next(&buffer) else { Issue.record("no data"); return }
        #expect(String(buffer: piece) == "01234")
        #expect(try d.next(&buffer).map(Self.describe) == nil)
        buffer.writeString("56789\r\n0\r\n\r\nGET")
        guard case .data(let rest)? = try d.next(&buffer) else { Issue.record("no data"); return }
        #expect(String(buffer: rest) == "56789")
        guard case .end? = try d.next(&buffer) else { Issue.record("no end"); return }
        #expect(try d.next(&buffer).map(Self.describe) == nil)
        #expect(String(buffer: buffer) == "GET")
        #expect(d.received == 10)
    }

    @Test func extensionsAreSkippedUnderEachPolicy() {
        #expect(decode("5;name=\"v\";x\r\nhello\r\n0;end\r\n\r\n", Self.server).body == "hello")
        #expect(decode("5;a\0b\r\nhello\r\n0\r\n\r\n", Self.server).defect == .badSize(.badExtension, line: Array("5;a\0b".utf8)))
        #expect(decode("5 ;é\r\nhello\r\n0 \r\n\r\n", Self.client).body == "hello")
        #expect(decode("5;é\r\nhello\r\n0\r\n\r\n", Self.server).defect == .badSize(.badExtension, line: Array("5;é".utf8)))
    }

    @Test func badSizesAreDefectsWithTheirLine() {
        for policy in [Self.server, Self.client] {
            for size in ["-5", "+5", "0x5", "g", " 5", ""] {
                guard case .badSize(_, let line)? = decode("\(size)\r\nhello\r\n0\r\n\r\n", policy).defect else {
                    Issue.record("\(size) accepted"); continue
                }
                #expect(line == Array(size.utf8))
            }
            #expect(decode("1000000000000000\r\n", policy).defect == .badSize(.tooLarge, line: Array("1000000000000000".utf8)))
        }
    }

    @Test func lineEndingsAreStrictForTheServerAndLenientForTheClient() {
        #expect(decode("5\nhello\r\n0\r\n\r\n", Self.server).defect == .sizeLineWithoutCR)
        #expect(decode("5\r\nhello\n0\r\n\r\n", Self.server).defect == .missingCRLFAfterData)
        let lenient = decode("5\nhello\n0\n\n", Self.client)
        #expect(lenient.body == "hello" && lenient.ended)
        for policy in [Self.server, Self.client] {
            #expect(decode("5\r\nhelloXX0\r\n\r\n", policy).defect == .missingCRLFAfterData)
            #expect(decode("5\r\nhello\rX", policy).defect == .missingCRLFAfterData)
            // Trailer lines may end in a bare LF under both.
            #expect(decode("0\r\nX: 1\n\n", policy).ended)
        }
    }

    @Test func trailersAreCheckedOrDelivered() {
        #expect(decode("0\r\nX: a\u{1}b\r\n\r\n", Self.server).defect == .badTrailer)
        #expect(decode("0\r\nX: a\u{1}b\r\n\r\n", Self.client).trailers == ["X: a\u{1}b"])
    }

    @Test func sizeLineLimitCountsTheBytesBeforeTheLF() {
        var p = Self.server
        p.maxSizeLineLength = 8
        #expect(decode("5;abcd\r\nhello\r\n0\r\n\r\n", p).body == "hello")   // 7 bytes before LF
        #expect(decode("5;abcde\r\nhello\r\n0\r\n\r\n", p).body == "hello")  // 8
        #expect(decode("5;abcdef\r\nhello\r\n0\r\n\r\n", p).defect == .sizeLineTooLong)
        // A line still growing is refused as soon as it passes the limit.
        #expect(decode(["5;abc", "defgh"], p).defect == .sizeLineTooLong)
        #expect(decode(["5;abc", "d"], p).defect == nil)
    }

    @Test func trailerLimitsBoundEachLineAndTheSection() {
        var p = Self.client
        p.maxTrailerLineLength = 10
        p.maxTrailerSize = 20
        #expect(decode("0\r\nX: 123456\r\n\r\n", p).trailers == ["X: 123456"])            // 10 before LF
        #expect(decode("0\r\nX: 12345678\r\n\r\n", p).defect == .trailerLineTooLong)    // 12
        #expect(decode(["0\r\nX: 12", "3456789"], p).defect == .trailerLineTooLong)
        #expect(decode("0\r\nA: 12345\r\nB: 12345\r\n\r\n", p).defect == .trailersTooLarge) // 10 + 10 + 2
        #expect(decode("0\r\nA: 1234\r\nB: 1234\r\n\r\n", p).ended)                        // 9 + 9 + 2
        var s = Self.server
        s.maxTrailerSize = 50
        #expect(decode("0\r\nX: \(String(repeating: "a", count: 60))\r\n\r\n", s).defect == .trailersTooLarge)
        #expect(decode(["0\r\nX: never ends", String(repeating: "a", count: 60)], s).defect == .trailersTooLarge)
    }

    @Test func aChunkAboveTheBodyLimitIsRefusedAtItsSizeLine() {
        #expect(decode("5\r\nhello\r\n6\r\n", Self.server, maxBodySize: 10).defect == .chunkTooLarge)
        #expect(decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", Self.server, maxBodySize: 10).body == "helloworld")
    }
}
