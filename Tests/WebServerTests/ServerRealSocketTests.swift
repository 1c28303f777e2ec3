import Testing
import Foundation
import Synchronization
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// Runs a program with a deadline; returns its exit status and stdout. Never hangs: the process is killed at
/// the deadline.
func runProgram(_ path: String, _ args: [String], stdin: String? = nil, timeout: Double = 20) async throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let outPath = NSTemporaryDirectory() + "twister-test-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outPath) }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    p.standardOutput = out
    p.standardError = out
    let inPath = outPath + ".in"
    defer { try? FileManager.default.removeItem(atPath: inPath) }
    if let stdin {
        _ = FileManager.default.createFile(atPath: inPath, contents: stdin.data(using: .utf8)!)
        p.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
    }
    let ended = EndedFlag()
    let status: Int32 = try await withCheckedThrowingContinuation { cont in
        p.terminationHandler = { proc in
            ended.value.store(true, ordering: .sequentiallyConsistent)
            cont.resume(returning: proc.terminationStatus)
        }
        do { try p.run() } catch { p.terminationHandler = nil; cont.resume(throwing: error); return }
        let pid = p.processIdentifier
        // Never signal a pid that may have been reused: only while the process has not ended.
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if !ended.value.load(ordering: .sequentiallyConsistent) { kill(pid, SIGKILL) }
        }
    }
    try out.close()
    let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    return (status, text)
}

/// Set once a child process has ended (read from a timer thread).
final class EndedFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// A Site listening on 127.0.0.1 on an ephemeral port.
@ReactorActor
final class LiveServer {
    let site: Site
    let port: any ListeningPort
    var number: Int { port.host.port }

    init(_ root: Resource, settings: HTTPServerSettings = HTTPServerSettings()) throws {
        site = Site(root, settings: settings, clock: Reactor.shared)
        port = try Reactor.shared.listenTCP(0, site, interface: "127.0.0.1")
    }

    func stop() { _ = port.stopListening() }
}

@ReactorActor
func makeTestTree() -> Resource {
    let root = Resource()
    root.putChild("", StaticData("Hello, World!", type: "text/plain"))
    root.putChild("echo", EchoResource())
    final class Streamed: Resource {
        override var isLeaf: Bool { true }
        override func renderGET(_ request: Request) throws -> RenderResult {
            for i in 0..<100 { request.write("line \(i)\n") }
            request.finish()
            return .notDoneYet
        }
    }
    root.putChild("stream", Streamed())
    return root
}

@Suite("Real sockets", .serialized)
struct ServerRealSocketTests {
    @Test(.enabled(if: TestDependency.required(TestDependency.curl != nil), "needs curl; .ci/run installs it"))
    func curlGetsHelloAndKeepsTheConnectionAlive() async throws {
        let server = try await LiveServer(makeTestTree())
        let n = await server.number
        let (status, out) = try await runProgram(TestDependency.curl ?? "/usr/bin/curl", ["-sS", "-i", "--max-time", "10",
            "http://127.0.0.1:\(n)/", "http://127.0.0.1:\(n)/stream", "-v"])
        await server.stop()
        #expect(status == 0)
        #expect(out.contains("Hello, World!"))
        #expect(out.contains("line 99"))
        #expect(out.contains("Re-using existing connection") || out.contains("Reusing existing"), "\(out.suffix(600))")
    }

    @Test(.enabled(if: TestDependency.required(TestDependency.curl != nil), "needs curl; .ci/run installs it"))
    func curlPostsWithExpect100ContinueAndChunkedUpload() async throws {
        let server = try await LiveServer(makeTestTree())
        let n = await server.number
        let body = String(repeating: "x", count: 200_000)
        let (status, out) = try await runProgram(TestDependency.curl ?? "/usr/bin/curl", ["-sS", "--max-time", "10", "-H", "Expect: 100-continue",
            "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", "http://127.0.0.1:\(n)/echo"], stdin: body)
        await server.stop()
        #expect(status == 0)
        #expect(out == body)
    }

    @Test(.enabled(if: TestDependency.required(TestDependency.python3 != nil), "needs python3; .ci/run installs it"))
    func pythonHTTPClientSpeaksToTheServer() async throws {
        let tree = TempTree()
        let server = try await LiveServer(StaticFile(tree.root))
        let n = await server.number
        let script = """
        import http.client, sys
        c = http.client.HTTPConnection("127.0.0.1", \(n), timeout=10)
        c.request("GET", "/hello.txt"); r = c.getresponse(); b = r.read()
        assert r.status == 200 and b == b"Hello, file!\\n", (r.status, b)
        c.request("GET", "/hello.txt", headers={"Range": "bytes=0-4"}); r = c.getresponse(); b = r.read()
        assert r.status == 206 and b == b"Hello", (r.status, b)
        c.request("HEAD", "/big.bin"); r = c.getresponse(); r.read()
        assert r.getheader("Content-Length") == "160000"
        c.request("GET", "/big.bin"); r = c.getresponse(); b = r.read()
        assert len(b) == 160000 and b.startswith(b"0123456789abcdef")
        c.request("GET", "/sub"); r = c.getresponse(); r.read()
        assert r.status == 302 and r.getheader("Location") == "/sub/"
        c.request("GET", "/../../etc/passwd"); r = c.getresponse(); b = r.read()
        assert r.status == 404, r.status
        c.request("GET", "/missing"); r = c.getresponse(); r.read()
        assert r.status == 404
        import socket
        s = socket.create_connection(("127.0.0.1", \(n)), timeout=10)
        s.sendall(b"GET /hello.txt HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
        assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"Hello, file!\\n"), data
        print("OK")
        """
        let (status, out) = try await runProgram("/usr/bin/env", ["python3", "-c", script])
        await server.stop()
        #expect(status == 0 && out.contains("OK"), "\(out)")
        _ = tree
    }

    /// h11 (a strict HTTP/1.1 implementation) checks that every response we send is well-formed: lengths,
    /// chunking, HEAD, 204/304, keep-alive across several requests. Skipped when h11 is not installed (not under CI).
    @Test(.enabled(if: TestDependency.required(TestDependency.python3 != nil && TestDependency.h11), "needs python3 with h11 (python3-h11); .ci/run installs it"))
    func h11AcceptsEveryResponse() async throws {
        final class Codes: Resource {
            override var isLeaf: Bool { true }
            override var allowedMethods: [String] { ["GET", "HEAD", "POST"] }
            override func renderGET(_ request: Request) throws -> RenderResult {
                switch request.postpath.first ?? "" {
                case "204": request.setResponseCode(204); return ""
                case "304": request.setResponseCode(304); return ""
                case "chunked":
                    for i in 0..<20 { request.write("piece \(i)\n") }
                    request.finish()
                    return .notDoneYet
                default: return "plain body"
                }
            }
            override func renderPOST(_ request: Request) throws -> RenderResult { .body(request.content.bytes()) }
        }
        let server = try await LiveServer(Codes())
        let n = await server.number
        let script = """
        import socket, sys
        try:
            import h11
        except ImportError:
            print("h11 is not installed (the python3-h11 package; .ci/run installs it)"); sys.exit(1)
        s = socket.create_connection(("127.0.0.1", \(n)), timeout=10)
        conn = h11.Connection(our_role=h11.CLIENT)
        def roundtrip(method, target, body=b""):
            headers = [("Host", "x")]
            if body: headers.append(("Content-Length", str(len(body))))
            s.sendall(conn.send(h11.Request(method=method, target=target, headers=headers)))
            if body: s.sendall(conn.send(h11.Data(data=body)))
            s.sendall(conn.send(h11.EndOfMessage()))
            status, data = None, b""
            while True:
                ev = conn.next_event()
                if ev is h11.NEED_DATA:
                    conn.receive_data(s.recv(65536)); continue
                if isinstance(ev, h11.Response): status = ev.status_code
                elif isinstance(ev, h11.Data): data += ev.data
                elif isinstance(ev, h11.EndOfMessage): break
            conn.start_next_cycle()
            return status, data
        assert roundtrip("GET", "/") == (200, b"plain body")
        assert roundtrip("HEAD", "/") == (200, b"")
        assert roundtrip("GET", "/204") == (204, b"")
        assert roundtrip("GET", "/304") == (304, b"")
        st, body = roundtrip("GET", "/chunked")
        assert st == 200 and body == b"".join(b"piece %d\\n" % i for i in range(20)), body
        assert roundtrip("POST", "/", b"x" * 100000) == (200, b"x" * 100000)
        assert roundtrip("DELETE", "/")[0] == 405
        print("OK")
        """
        let (status, out) = try await runProgram("/usr/bin/env", ["python3", "-c", script])
        await server.stop()
        #expect(status == 0 && out.contains("OK"), "\(out)")
    }

    /// At least 50 malformed or smuggling-shaped requests, each on its own connection; each must get the expected
    /// status (or a close), and the server must still answer a good request afterwards.
    @Test(.enabled(if: TestDependency.required(TestDependency.python3 != nil), "needs python3; .ci/run installs it"))
    func hostileInputIsRefusedAndTheServerKeepsServing() async throws {
        var settings = HTTPServerSettings()
        settings.maxHeadSize = 8192
        settings.maxBodySize = 1_000_000
        let server = try await LiveServer(makeTestTree(), settings: settings)
        let n = await server.number
        let script = #"""
        import socket, sys
        PORT = int(sys.argv[1])
        H = "Host: x\r\n"
        cases = [
          # (name, raw request, expected first status or None for "closed without answer")
          ("cl+te", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
          ("te+cl", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400),
          ("dup-cl", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", 400),
          ("dup-cl-same", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd", 400),
          ("cl-list", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 4, 4\r\n\r\nabcd", 400),
          ("cl-plus", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: +4\r\n\r\nabcd", 400),
          ("cl-neg", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n", 400),
          ("cl-hex", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 0x4\r\n\r\nabcd", 400),
          ("cl-space-inside", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 1 2\r\n\r\nabcd", 400),
          ("cl-huge", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 99999999999999999999999\r\n\r\n", 400),
          ("cl-too-big", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 2000000\r\n\r\n", 413),
          ("te-gzip", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n", 400),
          ("te-chunked-gzip", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
          ("te-double", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
          ("te-xchunked", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
          ("te-chunked-space-name", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
          ("te-vtab", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n", 400),
          ("te-http10", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
          ("te-obsfold", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
          ("chunk-0x", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400),
          ("chunk-neg", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400),
          ("chunk-plus", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", 400),
          ("chunk-nohex", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400),
          ("chunk-empty-size", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", 400),
          ("chunk-overflow", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n", 413),
          ("chunk-no-crlf-after-data", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n", 400),
          ("chunk-lf-only-size", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400),
          ("chunk-ext-ctl", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5;a\x01\r\nhello\r\n0\r\n\r\n", 400),
          ("chunk-long-ext", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5;" + "a"*5000 + "\r\nhello\r\n0\r\n\r\n", 400),
          ("chunk-space-size", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400),
          ("trailer-too-long", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\nX: " + "a"*70000 + "\r\n\r\n", 400),
          ("obs-fold", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n b\r\n\r\n", 400),
          ("space-before-colon", "GET / HTTP/1.1\r\n" + H + "X-A : a\r\n\r\n", 400),
          ("no-colon", "GET / HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", 400),
          ("empty-name", "GET / HTTP/1.1\r\n" + H + ": v\r\n\r\n", 400),
          ("bad-name-char", "GET / HTTP/1.1\r\n" + H + "X\"A: v\r\n\r\n", 400),
          ("nul-value", "GET / HTTP/1.1\r\n" + H + "X-A: a\x00b\r\n\r\n", 400),
          ("cr-in-value", "GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", 400),
          ("del-in-value", "GET / HTTP/1.1\r\n" + H + "X-A: a\x7fb\r\n\r\n", 400),
          ("no-host", "GET / HTTP/1.1\r\n\r\n", 400),
          ("two-hosts", "GET / HTTP/1.1\r\n" + H + H + "\r\n", 400),
          ("bad-version", "GET / HTTP/1.2x\r\n" + H + "\r\n", 400),
          ("lower-version", "GET / http/1.1\r\n" + H + "\r\n", 400),
          ("http2-version", "GET / HTTP/2.0\r\n" + H + "\r\n", 505),
          ("http09", "GET /\r\n\r\n", 400),
          ("double-space", "GET  / HTTP/1.1\r\n" + H + "\r\n", 400),
          ("tab-separator", "GET\t/ HTTP/1.1\r\n" + H + "\r\n", 400),
          ("nul-method", "G\x00T / HTTP/1.1\r\n" + H + "\r\n", 400),
          ("nonascii-method", "G\xc3\xa9T / HTTP/1.1\r\n" + H + "\r\n", 400),
          ("ctl-in-target", "GET /\x01 HTTP/1.1\r\n" + H + "\r\n", 400),
          ("space-in-target", "GET /a b HTTP/1.1\r\n" + H + "\r\n", 400),
          ("empty-line-flood", "\r\n" * 10 + "GET / HTTP/1.1\r\n" + H + "\r\n", 400),
          ("long-request-line", "GET /" + "a"*10000 + " HTTP/1.1\r\n" + H + "\r\n", 414),
          ("huge-head", "GET / HTTP/1.1\r\n" + H + "".join("X-%d: %s\r\n" % (i, "v"*100) for i in range(90)) + "\r\n", 431),
          ("too-many-headers", "GET / HTTP/1.1\r\n" + H + "".join("X-%d: v\r\n" % i for i in range(150)) + "\r\n", 431),
          ("binary-garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + "\x00"*50 + "\r\n\r\n", 400),
          ("smuggle-pipeline", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 6\r\nContent-Length: 0\r\n\r\nGET /admin HTTP/1.1\r\n" + H + "\r\n", 400),
          ("cl-then-te-smuggle", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n", 400),
          ("bare-cr-line-end", "GET / HTTP/1.1\r" + H + "\r\n", 400),
        ]
        failures = []
        for name, raw, expected in cases:
            s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
            try:
                s.sendall(raw.encode("latin-1"))
            except OSError:
                pass
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
            except (socket.timeout, ConnectionResetError):
                pass
            s.close()
            first = data.split(b"\r\n", 1)[0].decode("latin-1")
            status = int(first.split(" ")[1]) if first.startswith("HTTP/1.1 ") else None
            if status != expected or b"Connection: close" not in data:
                failures.append("%s: expected %s got %r" % (name, expected, data[:80]))
        # The server still serves.
        s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
        if not data.startswith(b"HTTP/1.1 200") or not data.endswith(b"Hello, World!"):
            failures.append("server stopped serving: %r" % data[:80])
        print("CASES %d" % len(cases))
        for f in failures: print("FAIL " + f)
        print("DONE")
        """#
        let (status, out) = try await runProgram("/usr/bin/env", ["python3", "-c", script, "\(n)"], timeout: 60)
        await server.stop()
        #expect(status == 0, "\(out)")
        #expect(out.contains("DONE"))
        #expect(!out.contains("FAIL"), "\(out)")
        let count = out.split(separator: "\n").first { $0.hasPrefix("CASES ") }.flatMap { Int($0.dropFirst(6)) } ?? 0
        #expect(count >= 50)
    }

    @Test(.enabled(if: TestDependency.required(TestDependency.curl != nil), "needs curl; .ci/run installs it"))
    func slowClientGetsAStreamedFileWithBoundedMemory() async throws {
        let tree = TempTree()
        // 8 MiB file
        let big = String(repeating: "abcdefgh", count: 1 << 20)
        tree.write("huge.bin", big)
        let server = try await LiveServer(StaticFile(tree.root))
        let n = await server.number
        let (status, out) = try await runProgram(TestDependency.curl ?? "/usr/bin/curl", ["-sS", "--max-time", "20", "--limit-rate", "4M",
            "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "http://127.0.0.1:\(n)/huge.bin"], timeout: 30)
        await server.stop()
        #expect(status == 0)
        #expect(out == "200 8388608")
    }

    @Test(.enabled(if: TestDependency.required(TestDependency.curl != nil), "needs curl; .ci/run installs it"))
    func twisterHelloAndWebCommandsServeAndStopOnSIGTERM() async throws {
        let located = CommandLocator.twister
        #expect(located != nil, "the twister executable is built with the tests")
        guard let exe = located else { return }
        for (cmd, extra, path, expected) in [("hello", [String](), "/", "Hello, World!"),
                                             ("web", ["--path", FileManager.default.currentDirectoryPath, "--no-access-log"], "/Package.swift", "swift-tools-version")] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = [cmd, "--listen", "tcp:0:interface=127.0.0.1"] + extra
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let pid = p.processIdentifier
            defer { if p.isRunning { kill(pid, SIGKILL) } }
            // Never hang: a command that does not come up is killed, which ends the read below.
            let killer = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: killer)
            defer { killer.cancel() }
            // Read the "NAME: listening on HOST:PORT" line.
            var line = ""
            let deadline = Date().addingTimeInterval(10)
            while !line.contains("\n") && Date() < deadline {
                let d = pipe.fileHandleForReading.availableData
                if d.isEmpty { break }
                line += String(decoding: d, as: UTF8.self)
            }
            guard let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
                Issue.record("\(cmd) did not report its port: \(line)")
                return
            }
            let (status, out) = try await runProgram(TestDependency.curl ?? "/usr/bin/curl", ["-sS", "--max-time", "10", "http://127.0.0.1:\(port)\(path)"])
            #expect(status == 0)
            #expect(out.contains(expected))
            kill(p.processIdentifier, SIGTERM)
            let end = Date().addingTimeInterval(10)
            while p.isRunning && Date() < end { try await Task.sleep(nanoseconds: 20_000_000) }
            #expect(!p.isRunning, "\(cmd) stops on SIGTERM")
            #expect(p.terminationStatus == 0)
        }
    }
}

enum CommandLocator {
    /// The `twister` executable built next to the test bundle, if any.
    static var twister: String? {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("twister").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
