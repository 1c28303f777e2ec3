import Testing
import CZlib
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// Gzip content coding (twisted-core-web.md §2.2 item 20).
@Suite("Gzip") @ReactorActor
struct ResourceGzipTests {
    static func gunzip(_ data: [UInt8]) -> [UInt8]? {
        var s = z_stream()
        guard inflateInit2_(&s, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&s) }
        var input = data
        var out = [UInt8](repeating: 0, count: 1 << 20)
        let r: Int32 = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                s.next_in = inp.baseAddress; s.avail_in = uInt(inp.count)
                s.next_out = o.baseAddress; s.avail_out = uInt(o.count)
                return inflate(&s, Z_FINISH)
            }
        }
        guard r == Z_STREAM_END else { return nil }
        return Array(out[0..<Int(s.total_out)])
    }

    func fetch(_ root: Resource, _ headers: String) -> (String, [UInt8]) {
        let h = SiteHarness(root)
        h.send("GET / HTTP/1.1\r\nHost: x\r\n\(headers)\r\n")
        let raw = Array(h.transport.takeBytes().readableBytesView)
        let sep = raw.firstIndex(of: 13).map { _ in String(decoding: raw, as: UTF8.self).range(of: "\r\n\r\n")! }!
        let text = String(decoding: raw, as: UTF8.self)
        let headLen = text.utf8.distance(from: text.utf8.startIndex, to: sep.upperBound)
        return (String(text[..<sep.lowerBound]), Array(raw[headLen...]))
    }

    @Test func gzipIsTriggeredByAcceptEncodingAndAppendsToContentEncoding() {
        let text = String(repeating: "hello gzip ", count: 100)
        for ae in ["Accept-Encoding: gzip\r\n", "Accept-Encoding: deflate , GZIP;q=0.5\r\n",
                   "Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n"] {
            let (head, body) = fetch(EncodingResourceWrapper(StaticData(text)), ae)
            #expect(head.contains("Content-Encoding: gzip"), "\(ae)")
            #expect(head.contains("Content-Length: \(body.count)"))
            #expect(body.count < text.utf8.count)
            #expect(Self.gunzip(body).map { String(decoding: $0, as: UTF8.self) } == text)
        }
    }

    @Test func gzipIsSkippedWhenNotAccepted() {
        for ae in ["", "Accept-Encoding: deflate\r\n", "Accept-Encoding: gzip;q=0\r\n"] {
            let (head, body) = fetch(EncodingResourceWrapper(StaticData("plain")), ae)
            #expect(!head.contains("Content-Encoding"))
            #expect(String(decoding: body, as: UTF8.self) == "plain")
        }
    }

    @Test func streamedBodiesAreCompressedChunked() {
        final class Streamer: Resource {
            override var isLeaf: Bool { true }
            override func renderGET(_ request: Request) throws -> RenderResult {
                request.setHeader("Content-Encoding", "identity-ish")
                for i in 0..<50 { request.write("line \(i)\n") }
                request.finish()
                return .notDoneYet
            }
        }
        let (head, body) = fetch(EncodingResourceWrapper(Streamer()), "Accept-Encoding: gzip\r\n")
        #expect(head.contains("Transfer-Encoding: chunked"))
        #expect(head.contains("Content-Encoding: identity-ish,gzip"))
        // De-chunk.
        var raw = body[...], payload: [UInt8] = []
        while let crlf = raw.firstIndex(of: 13) {
            let n = Int(String(decoding: raw[raw.startIndex..<crlf], as: UTF8.self), radix: 16)!
            if n == 0 { break }
            payload += raw[(crlf + 2)..<(crlf + 2 + n)]
            raw = raw[(crlf + 4 + n)...]
        }
        let expected = (0..<50).map { "line \($0)\n" }.joined()
        #expect(Self.gunzip(payload).map { String(decoding: $0, as: UTF8.self) } == expected)
    }
}
