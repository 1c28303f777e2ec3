import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory tree for static-file tests, removed at deinit.
final class TempTree {
    let root: String
    let outside: String

    init() {
        var t = Array("/tmp/twister-static-XXXXXX".utf8CString)
        root = t.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        var o = Array("/tmp/twister-outside-XXXXXX".utf8CString)
        outside = o.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        write("hello.txt", "Hello, file!\n")
        write("page.html", "<p>page</p>")
        write("data.txt.gz", "gzipped")
        mkdir(root + "/sub", 0o755)
        write("sub/index.html", "sub index")
        mkdir(root + "/empty", 0o755)
        write("empty/<b>&.txt", "x")
        write("big.bin", String(repeating: "0123456789abcdef", count: 10_000))
        write("noread.txt", "secret")
        chmod(root + "/noread.txt", 0)
        FileWriter.write(outside + "/secret.txt", "outside secret")
        symlink(outside + "/secret.txt", root + "/escape.txt")
        symlink(outside, root + "/escapedir")
        symlink(root + "/hello.txt", root + "/inside-link.txt")
    }

    func write(_ rel: String, _ content: String) { FileWriter.write(root + "/" + rel, content) }

    deinit {
        _ = system("rm -rf '\(root)' '\(outside)'")
    }
}

@Suite("Static files") @ReactorActor
struct StaticFileTests {
    let tree = TempTree()

    func fetch(_ path: String, method: String = "GET", headers: String = "", configure: (StaticFile) -> Void = { _ in }) -> String {
        let f = StaticFile(tree.root)
        configure(f)
        let h = SiteHarness(f)
        h.send("\(method) \(path) HTTP/1.1\r\nHost: x\r\n\(headers)\r\n")
        return h.take()
    }

    func body(_ out: String) -> String { String(out[out.range(of: "\r\n\r\n")!.upperBound...]) }
    func header(_ out: String, _ name: String) -> String? {
        for line in out.components(separatedBy: "\r\n") where line.lowercased().hasPrefix(name.lowercased() + ": ") {
            return String(line.dropFirst(name.count + 2))
        }
        return nil
    }

    @Test func fileIsServedWithTypeLengthLastModifiedETagAndAcceptRanges() {
        let out = fetch("/hello.txt")
        #expect(out.hasPrefix("HTTP/1.1 200 OK"))
        #expect(body(out) == "Hello, file!\n")
        #expect(header(out, "Content-Type") == "text/plain; charset=utf-8")
        #expect(header(out, "Content-Length") == "13")
        #expect(header(out, "Accept-Ranges") == "bytes")
        #expect(header(out, "Last-Modified") != nil)
        #expect(header(out, "ETag")?.hasPrefix("\"") == true)
        #expect(header(fetch("/page.html"), "Content-Type") == "text/html; charset=utf-8")
    }

    @Test func gzExtensionIsSentAsContentEncoding() {
        let out = fetch("/data.txt.gz")
        #expect(header(out, "Content-Encoding") == "gzip")
        #expect(header(out, "Content-Type") == "text/plain; charset=utf-8")
    }

    @Test func headGetsHeadersOnly() {
        let out = fetch("/hello.txt", method: "HEAD")
        #expect(header(out, "Content-Length") == "13")
        #expect(body(out) == "")
    }

    @Test func missingFileGets404AndUnreadableGets403() {
        #expect(fetch("/nope.txt").hasPrefix("HTTP/1.1 404"))
        #expect(fetch("/hello.txt/child").hasPrefix("HTTP/1.1 404"))
        if getuid() != 0 { #expect(fetch("/noread.txt").hasPrefix("HTTP/1.1 403")) }
    }

    @Test func directoryWithoutTrailingSlashRedirectsToTheSlashForm() {
        let out = fetch("/sub?x=1")
        #expect(out.hasPrefix("HTTP/1.1 302 Found"))
        #expect(header(out, "Location") == "/sub/?x=1")
        #expect(body(fetch("/sub/")) == "sub index")
    }

    @Test func directoryListingIsEscapedAndOptional() {
        let out = fetch("/empty/")
        #expect(out.hasPrefix("HTTP/1.1 200"))
        #expect(out.contains("&lt;b&gt;&amp;.txt"))
        #expect(!out.contains("<b>&"))
        #expect(out.contains("href=\"%3Cb%3E%26.txt\""))
        #expect(fetch("/empty/", configure: { $0.allowDirectoryListing = false }).hasPrefix("HTTP/1.1 403"))
        let root = body(fetch("/"))
        #expect(root.contains("sub/") && root.contains("hello.txt"))
        #expect(!root.contains("escape.txt"), "links leading outside are not listed")
    }

    @Test func noWayOutOfTheRoot() {
        for path in ["/../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2e/%2e%2e/etc/passwd", "/sub/..%2f..%2fetc/passwd",
                     "/sub/%2e%2e/hello.txt", "/hello.txt%00.html", "/escape.txt", "/escapedir/secret.txt",
                     "/sub/%ff%fe", "/..%5c..%5cetc/passwd", "/./hello.txt"] {
            let out = fetch(path)
            #expect(out.hasPrefix("HTTP/1.1 404") || out.hasPrefix("HTTP/1.1 400"), "\(path): \(out.prefix(40))")
            #expect(!out.contains("outside secret") && !out.contains("root:"))
        }
        #expect(body(fetch("/inside-link.txt")) == "Hello, file!\n", "links that stay inside are followed")
    }

    @Test func ifModifiedSinceAndIfNoneMatchAnswer304() {
        let first = fetch("/hello.txt")
        let lm = header(first, "Last-Modified")!, etag = header(first, "ETag")!
        #expect(fetch("/hello.txt", headers: "If-Modified-Since: \(lm)\r\n").hasPrefix("HTTP/1.1 304"))
        #expect(fetch("/hello.txt", headers: "If-Modified-Since: \(HTTPDate.format(1000))\r\n").hasPrefix("HTTP/1.1 200"))
        #expect(fetch("/hello.txt", headers: "If-Modified-Since: not a date\r\n").hasPrefix("HTTP/1.1 200"))
        let nm = fetch("/hello.txt", headers: "If-None-Match: \(etag)\r\n")
        #expect(nm.hasPrefix("HTTP/1.1 304"))
        #expect(body(nm) == "")
        #expect(fetch("/hello.txt", headers: "If-None-Match: \"other\", \(etag)\r\n").hasPrefix("HTTP/1.1 304"))
        #expect(fetch("/hello.txt", headers: "If-None-Match: *\r\n").hasPrefix("HTTP/1.1 304"))
        #expect(fetch("/hello.txt", headers: "If-None-Match: \"other\"\r\nIf-Modified-Since: \(lm)\r\n").hasPrefix("HTTP/1.1 200"),
                "If-None-Match wins over If-Modified-Since")
    }

    @Test func singleRangeGets206WithContentRange() {
        let out = fetch("/hello.txt", headers: "Range: bytes=0-4\r\n")
        #expect(out.hasPrefix("HTTP/1.1 206 Partial Content"))
        #expect(header(out, "Content-Range") == "bytes 0-4/13")
        #expect(body(out) == "Hello")
        #expect(body(fetch("/hello.txt", headers: "Range: bytes=-5\r\n")) == "file!\n".suffix(5).description)
        #expect(body(fetch("/hello.txt", headers: "Range: bytes=7-\r\n")) == "file!\n")
        #expect(header(fetch("/hello.txt", headers: "Range: bytes=7-100\r\n"), "Content-Range") == "bytes 7-12/13")
    }

    @Test func unsatisfiableRangeGets416AndMalformedRangeIsIgnored() {
        let out = fetch("/hello.txt", headers: "Range: bytes=13-\r\n")
        #expect(out.hasPrefix("HTTP/1.1 416"))
        #expect(header(out, "Content-Range") == "bytes */13")
        for bad in ["bytes=5-2", "items=0-1", "bytes=a-b", "bytes=--1", "bytes=1"] {
            let o = fetch("/hello.txt", headers: "Range: \(bad)\r\n")
            #expect(o.hasPrefix("HTTP/1.1 200"), "\(bad)")
            #expect(body(o) == "Hello, file!\n")
        }
    }

    @Test func multipleRangesGetMultipartByterangesWithAnExactLength() {
        let out = fetch("/hello.txt", headers: "Range: bytes=0-1,7-8,100-200\r\n")
        #expect(out.hasPrefix("HTTP/1.1 206"))
        let ctype = header(out, "Content-Type")!
        #expect(ctype.hasPrefix("multipart/byteranges; boundary="))
        let boundary = String(ctype.split(separator: "=").last!)
        let b = body(out)
        #expect(Int(header(out, "Content-Length")!) == b.utf8.count)
        #expect(b == "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/13\r\n\r\nHe"
                + "\r\n--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 7-8/13\r\n\r\nfi"
                + "\r\n--\(boundary)--\r\n")
        #expect(fetch("/hello.txt", headers: "Range: bytes=50-60,70-\r\n").hasPrefix("HTTP/1.1 416"))
    }

    @Test func ifRangeMismatchSendsTheWholeFile() {
        let out = fetch("/hello.txt", headers: "Range: bytes=0-1\r\nIf-Range: \"stale\"\r\n")
        #expect(out.hasPrefix("HTTP/1.1 200"))
        let etag = header(fetch("/hello.txt"), "ETag")!
        #expect(fetch("/hello.txt", headers: "Range: bytes=0-1\r\nIf-Range: \(etag)\r\n").hasPrefix("HTTP/1.1 206"))
    }

    @Test func largeFilesStreamThroughAPullProducerWithContentLength() {
        let out = fetch("/big.bin")
        #expect(header(out, "Content-Length") == "160000")
        #expect(body(out) == String(repeating: "0123456789abcdef", count: 10_000))
        let part = fetch("/big.bin", headers: "Range: bytes=100000-\r\n")
        #expect(body(part).utf8.count == 60000)
        let multi = fetch("/big.bin", headers: "Range: bytes=0-69999,150000-\r\n")
        #expect(Int(header(multi, "Content-Length")!) == body(multi).utf8.count)
    }

    @Test func largeFileIsSentWithSendfileWhenTheTransportOffersIt() {
        @ReactorActor final class SendfileTransport: FileSendingTransport {
            let inner = StringTransport()
            var sent: [(Int, Int)] = []
            func sendFile(_ fd: Int32, offset: Int, count: Int, completion: @escaping (Result<Void, ConnectionError>) -> Void) {
                var buf = [UInt8](repeating: 0, count: count)
                _ = pread(fd, &buf, count, off_t(offset))
                inner.write(ByteBuffer(bytes: buf))
                sent.append((offset, count))
                completion(.success(()))
            }
            func write(_ data: ByteBuffer) { inner.write(data) }
            func loseConnection() { inner.loseConnection() }
            func abortConnection() { inner.abortConnection() }
            var disconnecting: Bool { inner.disconnecting }
            var bufferedBytes: Int { inner.bufferedBytes }
            var peer: Address { inner.peer }
            var host: Address { inner.host }
            func registerProducer(_ producer: any Producer, streaming: Bool) { inner.registerProducer(producer, streaming: streaming) }
            func unregisterProducer() { inner.unregisterProducer() }
            func pauseProducing() {}
            func resumeProducing() {}
            func stopProducing() {}
        }
        let t = SendfileTransport()
        let site = Site(StaticFile(tree.root))
        let ch = site.buildProtocol(t.peer) as! HTTPChannel
        ch.makeConnection(t)
        t.inner.proto_receive(ch, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(t.sent.count == 1 && t.sent[0] == (0, 160000))
        let out = t.inner.take()
        #expect(out.contains(String(repeating: "0123456789abcdef", count: 10_000)))
        #expect(out.hasSuffix("Hello, file!\n"))
    }
}

extension StringTransport {
    /// Feeds bytes to a protocol connected through another transport object.
    func proto_receive(_ p: Protocol, _ s: String) { p.dataReceived(ByteBuffer(string: s)) }
}
