import Testing
import Foundation
import TwisterTesting
@testable import TwisterHTTPClient
import TwisterWeb

/// A Python HTTP/1.1 server (http.server) started for the tests; it writes its port to a file.
let pythonTestServer = #"""
import sys, time, gzip
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def fixed(self, code, body, extra=()):
        self.send_response(code)
        for k, v in extra: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def do_HEAD(self): self.do_GET()
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.fixed(200, b"got:" + self.rfile.read(n))
    def do_GET(self):
        p = self.path
        if p == "/hello": self.fixed(200, b"hello")
        elif p == "/port": self.fixed(200, str(self.client_address[1]).encode())
        elif p == "/gzip": self.fixed(200, gzip.compress(b"compressed " * 100), [("Content-Encoding", "gzip")])
        elif p == "/redirect": self.fixed(302, b"", [("Location", "/hello")])
        elif p == "/missing": self.fixed(404, b"no such thing")
        elif p == "/close":
            self.send_response(200); self.send_header("Connection", "close"); self.end_headers()
            self.wfile.write(b"until close"); self.close_connection = True
        elif p == "/chunked":
            self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
            for part in (b"one ", b"two ", b"three"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part)); self.wfile.flush(); time.sleep(0.01)
            self.wfile.write(b"0\r\n\r\n")
        elif p == "/slow":
            time.sleep(3); self.fixed(200, b"late")
        elif p == "/stream":
            self.send_response(200); self.send_header("Content-Type", "application/xml")
            self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
            i = 0
            try:
                while True:
                    data = b"".join(b"<item n='%d'><title>Twister item %d</title><body>%s</body></item>\n" % (j, j, b"x" * 200) for j in range(i, i + 20))
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data)); self.wfile.flush()
                    i += 20
                    time.sleep(0.002)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else: self.fixed(404, b"")

s = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f: f.write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
"""#

/// A child process (a server) that is terminated when the test ends.
final class ServerProcess {
    let process = Process()
    let dir: String
    var port = 0

    init(dir: String) { self.dir = dir }

    /// Terminates the server (without waiting: waiting would block the reactor thread).
    /// The signal that ends the server. Python gets SIGKILL: it may have inherited a blocked SIGTERM from the
    /// test runner, and would then outlive the run and keep `swift test`'s output pipe open. nginx gets SIGTERM:
    /// it manages its own signal mask, and its master must live long enough to stop its worker.
    var stopSignal = SIGKILL

    func stop() {
        if process.isRunning { kill(process.processIdentifier, stopSignal) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    deinit { stop() }

    static func tempDir(_ name: String) -> String {
        let d = NSTemporaryDirectory() + "twister-\(name)-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Starts the Python server and waits (on the reactor, without blocking it) for its port.
    @ReactorActor
    static func python() async throws -> ServerProcess {
        let s = ServerProcess(dir: tempDir("py"))
        let script = s.dir + "/server.py"
        try pythonTestServer.write(toFile: script, atomically: true, encoding: .utf8)
        s.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        s.process.arguments = ["python3", script, s.dir + "/port"]
        try s.process.run()
        let ok = try await waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: s.dir + "/port") }
        guard ok, let text = try? String(contentsOfFile: s.dir + "/port", encoding: .utf8), let p = Int(text) else {
            throw ClientRequestError("python test server did not start")
        }
        s.port = p
        return s
    }

    /// Starts nginx (one worker) on a free port, serving `files` from its root; throws when nginx is missing.
    @ReactorActor
    static func nginx(files: [String: String]) async throws -> ServerProcess {
        guard let binary = TestDependency.nginx else { throw ClientRequestError("nginx is not installed (.ci/run installs nginx-light)") }
        let s = ServerProcess(dir: tempDir("nginx"))
        s.stopSignal = SIGTERM
        try FileManager.default.createDirectory(atPath: s.dir + "/www", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: s.dir + "/logs", withIntermediateDirectories: true)
        for (name, content) in files { try content.write(toFile: s.dir + "/www/" + name, atomically: true, encoding: .utf8) }
        _ = chmod(s.dir, 0o755)
        _ = chmod(s.dir + "/www", 0o755)
        for name in files.keys { _ = chmod(s.dir + "/www/" + name, 0o644) }
        s.port = try await freePort()
        let conf = """
        worker_processes 1;
        daemon off;
        master_process on;
        pid \(s.dir)/nginx.pid;
        error_log \(s.dir)/logs/error.log;
        events { worker_connections 1024; }
        http {
            access_log off;
            keepalive_requests 1000000;
            client_body_temp_path \(s.dir)/tmp1; proxy_temp_path \(s.dir)/tmp2; fastcgi_temp_path \(s.dir)/tmp3;
            uwsgi_temp_path \(s.dir)/tmp4; scgi_temp_path \(s.dir)/tmp5;
            server {
                listen 127.0.0.1:\(s.port);
                root \(s.dir)/www;
                gzip on; gzip_min_length 1; gzip_types *;
                location = /moved { return 301 /index.html; }
            }
        }
        """
        try conf.write(toFile: s.dir + "/nginx.conf", atomically: true, encoding: .utf8)
        s.process.executableURL = URL(fileURLWithPath: binary)
        s.process.arguments = ["-p", s.dir, "-e", s.dir + "/logs/error.log", "-c", s.dir + "/nginx.conf"]
        try s.process.run()
        let ok = try await waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: s.dir + "/nginx.pid") }
        guard ok else { throw ClientRequestError("nginx did not start") }
        return s
    }
}

/// A port that was free a moment ago.
@ReactorActor
func freePort() async throws -> Int {
    let port = try Reactor.shared.listenTCP(0, Factory { Protocol() }, interface: "127.0.0.1")
    let n = port.host.port
    _ = try await port.stopListening().value
    return n
}

/// Sleeps on the reactor.
@ReactorActor
func reactorSleep(_ seconds: Double) async throws {
    let d = Deferred<Void>()
    Reactor.shared.callLater(seconds) { d.callback(()) }
    try await d.value
}

/// Polls `condition` until it holds or `timeout` passes.
@ReactorActor
func waitUntil(timeout: Double, _ condition: () -> Bool) async throws -> Bool {
    let end = Reactor.shared.seconds() + timeout
    while !condition() {
        if Reactor.shared.seconds() > end { return false }
        try await reactorSleep(0.01)
    }
    return true
}

/// Awaits `d` with a deadline, so that no test hangs.
@ReactorActor
func within<T>(_ seconds: Double, _ d: Deferred<T>) async throws -> T {
    try await d.addTimeout(seconds, clock: Reactor.shared).value
}

/// Resident set size of this process, in bytes.
func residentBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let parts = s.split(separator: " ")
    return parts.count > 1 ? (Int(parts[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

@Suite(.serialized, .timeLimit(.minutes(1))) @ReactorActor struct ClientRealSocketTests {
    @Test(.enabled(if: TestDependency.required(TestDependency.python3 != nil), "needs python3; .ci/run installs it"))
    func pythonServerEveryFramingKeepAliveRedirectAndGzip() async throws {
        let server = try await ServerProcess.python()
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let agent = Agent(reactor: .shared)
        // Keep-alive: the same client port answers twice.
        let p1 = String(buffer: try await within(5, agent.request("GET", base + "/port").addDeferredCallback { readBody($0) }))
        let p2 = String(buffer: try await within(5, agent.request("GET", base + "/port").addDeferredCallback { readBody($0) }))
        #expect(p1 == p2)
        #expect(agent.pool.connectionsOpened == 1)
        // Chunked, streamed in pieces.
        let r = try await within(5, agent.request("GET", base + "/chunked"))
        #expect(r.length == nil)
        #expect(String(buffer: try await within(5, readBody(r))) == "one two three")
        // HEAD, POST.
        let head = try await within(5, agent.request("HEAD", base + "/hello"))
        #expect(head.headers["Content-Length"] == "5")
        #expect(String(buffer: try await within(5, readBody(head))) == "")
        let post = try await within(5, agent.request("POST", base + "/hello", headers: [:], bodyProducer: BytesBodyProducer("data")))
        #expect(String(buffer: try await within(5, readBody(post))) == "got:data")
        // Read until close: PotentialDataLoss → PartialDownloadError with the body.
        let closing = try await within(5, agent.request("GET", base + "/close"))
        do {
            _ = try await within(5, readBody(closing))
            Issue.record("expected PartialDownloadError")
        } catch let e as PartialDownloadError {
            #expect(String(buffer: e.body) == "until close")
        }
        // Tornado-style front: redirects, gzip, errors.
        let client = HTTPClient(reactor: .shared)
        let red = try await client.fetch(base + "/redirect").value
        #expect(red.text == "hello")
        #expect(red.effectiveURL == base + "/hello")
        let gz = try await client.fetch(base + "/gzip").value
        #expect(gz.text == String(repeating: "compressed ", count: 100))
        do {
            _ = try await client.fetch(base + "/missing").value
            Issue.record("expected 404")
        } catch let e as HTTPClientError {
            #expect(e.code == 404)
            #expect(e.response?.text == "no such thing")
        }
        client.close()
        agent.pool.closeCachedConnections()
    }

    @Test(.enabled(if: TestDependency.required(TestDependency.python3 != nil), "needs python3; .ci/run installs it"))
    func timeoutsAndCancellationOnRealSockets() async throws {
        let server = try await ServerProcess.python()
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let agent = Agent(reactor: .shared)
        agent.firstByteTimeout = 0.3
        do {
            _ = try await within(5, agent.request("GET", base + "/slow"))
            Issue.record("expected a timeout")
        } catch let e as ResponseNeverReceived {
            #expect(e.reason(ClientTimeoutError.self)?.phase == .firstByte)
        }
        // Connection refused on a closed port.
        let closed = try await freePort()
        do {
            _ = try await within(5, agent.request("GET", "http://127.0.0.1:\(closed)/"))
            Issue.record("expected refusal")
        } catch let e as ConnectionError {
            #expect(e == .refused)
        }
        // Cancel while waiting.
        let d = Agent(reactor: .shared).request("GET", base + "/slow")
        Reactor.shared.callLater(0.2) { d.cancel() }
        do {
            _ = try await within(5, d)
            Issue.record("expected cancellation")
        } catch is CancelledError {}
    }

    @Test func unixSocketEndpoint() async throws {
        // Our own tiny server on a UNIX socket, reached through an http+unix URL.
        let dir = ServerProcess.tempDir("unix")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/d.sock"
        let port = try Reactor.shared.listenUNIX(path, Factory { UnixReplyServer() })
        defer { _ = port.stopListening() }
        let client = HTTPClient(reactor: .shared)
        let encoded = ClientURL.percentEncodePath(path)
        let r = try await client.fetch("http+unix://\(encoded)/v1/info").value
        #expect(r.text == "unix ok")
        client.close()
    }

    @Test(.enabled(if: TestDependency.required(TestDependency.nginx != nil), "needs nginx (nginx-light); .ci/run installs it"))
    func nginxKeepAliveReuseGzipAndRedirect() async throws {
        let big = String(repeating: "<p>nginx</p>\n", count: 5000)
        let nginx = try await ServerProcess.nginx(files: ["index.html": "hi from nginx", "big.html": big])
        defer { nginx.stop() }
        let base = "http://127.0.0.1:\(nginx.port)"
        let agent = Agent(reactor: .shared)
        for _ in 0..<20 {
            let r = try await within(5, agent.request("GET", base + "/index.html"))
            #expect(String(buffer: try await within(5, readBody(r))) == "hi from nginx")
        }
        #expect(agent.pool.connectionsOpened == 1)
        // Concurrency over 4 connections, then reuse of the idle ones (limit 2 kept).
        let many = (0..<4).map { _ in agent.request("GET", base + "/index.html").addDeferredCallback { readBody($0) } }
        for d in many { _ = try await within(5, d) }
        #expect(agent.pool.idleCount(ConnectionKey(scheme: "http", host: "127.0.0.1", port: nginx.port)) == 2)
        // gzip (chunked from nginx) and a redirect.
        let client = HTTPClient(reactor: .shared)
        let g = try await client.fetch(base + "/big.html").value
        #expect(g.text == big)
        let m = try await client.fetch(base + "/moved").value
        #expect(m.text == "hi from nginx")
        #expect(m.effectiveURL.hasSuffix("/index.html"))
        let nf = try await client.fetch(base + "/nope", raiseError: false).value
        #expect(nf.code == 404)
        client.close()
        agent.pool.closeCachedConnections()
    }

    @Test(.enabled(if: TestDependency.required(TestDependency.python3 != nil), "needs python3; .ci/run installs it"))
    func endlessXMLStreamIsParsedAsItArrivesInFlatMemoryThenCancelled() async throws {
        let server = try await ServerProcess.python()
        defer { server.stop() }
        let agent = Agent(reactor: .shared)
        let r = try await within(5, agent.request("GET", "http://127.0.0.1:\(server.port)/stream"))
        let parser = XMLItemCounter()
        r.deliverBody(parser)
        try await reactorSleep(1)
        let startItems = parser.items
        let startRSS = residentBytes()
        try await reactorSleep(2.5)
        let endRSS = residentBytes()
        #expect(parser.items > startItems + 1000, "items: \(startItems) → \(parser.items)")
        #expect(endRSS - startRSS < 8 << 20, "RSS grew \(endRSS - startRSS) bytes")
        #expect(parser.bytes > 1 << 20)
        parser.transport?.stopProducing()
        #expect(parser.reason?.check(ResponseFailed.self) == true)
    }
}

/// Answers one HTTP request per connection with a fixed reply.
@ReactorActor
final class UnixReplyServer: Protocol {
    var buf = ""
    override func dataReceived(_ data: ByteBuffer) {
        buf += String(buffer: data)
        if buf.contains("\r\n\r\n") {
            transport?.write("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nunix ok")
            transport?.loseConnection()
        }
    }
}

/// Counts complete `<item …>…</item>` elements as bytes arrive, keeping only an unfinished tail.
@ReactorActor
final class XMLItemCounter: Protocol {
    var items = 0
    var bytes = 0
    var reason: Failure?
    private var tail: [UInt8] = []
    private static let close = Array("</item>".utf8)

    override func dataReceived(_ data: ByteBuffer) {
        bytes += data.readableBytes
        tail += data.readableBytesView
        var i = 0
        var lastEnd = 0
        let n = tail.count, m = Self.close.count
        while i + m <= n {
            if tail[i] == 60 && tail[i + 1] == 47 && Array(tail[i..<(i + m)]) == Self.close {
                items += 1
                i += m
                lastEnd = i
            } else {
                i += 1
            }
        }
        tail.removeFirst(lastEnd)
    }

    override func connectionLost(_ reason: Failure) { self.reason = reason }
}

