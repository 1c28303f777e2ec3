import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import TwisterWeb
import TwisterProtocols

// Usage: httpclient-bench [seconds-per-run]
// Starts nginx (one worker) on 127.0.0.1, then measures keep-alive GET requests/s over 1 and 32 connections
// with Twister's Agent (one reactor thread), AsyncHTTPClient (one event-loop thread) and Twisted's Agent
// (/tmp/peers-venv/bin/python). Prints a Markdown table with ratios.

let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 5 : 5
let connectionCounts = [1, 32]

// MARK: nginx

func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    close(fd)
    return Int(UInt16(bigEndian: addr.sin_port))
}

let dir = NSTemporaryDirectory() + "httpclient-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
try "Hello, World!".write(toFile: dir + "/www/index.html", atomically: true, encoding: .utf8)
_ = chmod(dir, 0o755); _ = chmod(dir + "/www", 0o755); _ = chmod(dir + "/www/index.html", 0o644)
let port = freePort()
try """
worker_processes 1;
daemon off;
pid \(dir)/nginx.pid;
error_log \(dir)/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 300;
    client_body_temp_path \(dir)/t1; proxy_temp_path \(dir)/t2; fastcgi_temp_path \(dir)/t3; uwsgi_temp_path \(dir)/t4; scgi_temp_path \(dir)/t5;
    server { listen 127.0.0.1:\(port); root \(dir)/www; }
}
""".write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
let nginx = Process()
nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
nginx.arguments = ["-p", dir, "-e", dir + "/logs/error.log", "-c", dir + "/nginx.conf"]
try nginx.run()
defer { nginx.terminate() }
usleep(500_000)
let url = "http://127.0.0.1:\(port)/index.html"

// MARK: Twister

final class Counter: @unchecked Sendable {
    // Safe: touched only on the reactor thread while running, read after the semaphore is signalled.
    var count = 0
    var start = 0.0
    var end = 0.0
}

/// N request loops on one Agent, all on the reactor thread.
@ReactorActor
final class TwisterLoad {
    let agent = Agent(reactor: .shared)
    let counter: Counter
    let connections: Int
    let done: DispatchSemaphore

    init(connections: Int, counter: Counter, done: DispatchSemaphore) {
        self.connections = connections
        self.counter = counter
        self.done = done
        agent.pool.maxPersistentPerHost = connections
    }

    func loop(until end: Double, _ finished: @escaping @ReactorActor () -> Void) {
        agent.request("GET", url).addCallback { readBody($0) }.addBoth { (r: Result<TwisterProtocols.ByteBuffer, Failure>) -> Void in
            if case .failure(let f) = r { print("twister error: \(f.error)") }
            self.counter.count += 1
            if Reactor.shared.seconds() < end { self.loop(until: end, finished) } else { finished() }
        }
    }

    func start() {
        let warmEnd = Reactor.shared.seconds() + 0.5
        var warm = connections
        for _ in 0..<connections {
            loop(until: warmEnd) {
                warm -= 1
                guard warm == 0 else { return }
                self.measure()
            }
        }
    }

    func measure() {
        counter.count = 0
        counter.start = Reactor.shared.seconds()
        let end = counter.start + seconds
        var running = connections
        for _ in 0..<connections {
            loop(until: end) {
                running -= 1
                if running == 0 {
                    self.counter.end = Reactor.shared.seconds()
                    self.agent.pool.closeCachedConnections()
                    self.done.signal()
                }
            }
        }
    }
}

func twister(connections: Int) -> Double {
    let done = DispatchSemaphore(value: 0)
    let counter = Counter()
    Reactor.shared.callFromThread {
        TwisterLoad(connections: connections, counter: counter, done: done).start()
    }
    done.wait()
    return Double(counter.count) / (counter.end - counter.start)
}

// MARK: AsyncHTTPClient

func ahc(connections: Int) async throws -> Double {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var config = AsyncHTTPClient.HTTPClient.Configuration()
    config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
    let client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .shared(group), configuration: config)
    func run(for duration: Double) async throws -> (Int, Double) {
        let start = Date()
        let end = start.addingTimeInterval(duration)
        let n = try await withThrowingTaskGroup(of: Int.self) { g in
            for _ in 0..<connections {
                g.addTask {
                    var k = 0
                    while Date() < end {
                        let resp = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                        _ = try await resp.body.collect(upTo: 1 << 20)
                        k += 1
                    }
                    return k
                }
            }
            return try await g.reduce(0, +)
        }
        return (n, Date().timeIntervalSince(start))
    }
    _ = try await run(for: 0.5)
    let (n, t) = try await run(for: seconds)
    try await client.shutdown()
    try await group.shutdownGracefully()
    return Double(n) / t
}

// MARK: Twisted

func twisted(connections: Int) -> Double? {
    let python = "/tmp/peers-venv/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("twisted_agent.py").path
    p.arguments = [script, url, String(connections), String(seconds)]
    let pipe = Pipe()
    p.standardOutput = pipe
    try? p.run()
    p.waitUntilExit()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return Double(out.trimmingCharacters(in: .whitespacesAndNewlines))
}

// MARK: run

var rows: [String] = []
for c in connectionCounts {
    let t = twister(connections: c)
    let a = try await ahc(connections: c)
    let w = twisted(connections: c)
    let wText = w.map { String(format: "%.0f", $0) } ?? "n/a"
    let wRatio = w.map { String(format: "%.1fx", t / $0) } ?? "n/a"
    rows.append(String(format: "| %d | %.0f | %.0f | %@ | %.2fx | %@ |", c, t, a, wText, t / a, wRatio))
    print("connections \(c): twister \(Int(t)) req/s, AsyncHTTPClient \(Int(a)) req/s, Twisted \(wText) req/s")
}
print("")
print("| connections | Twister Agent (req/s) | AsyncHTTPClient (req/s) | Twisted Agent (req/s) | Twister / AHC | Twister / Twisted |")
print("|---|---|---|---|---|---|")
for r in rows { print(r) }
nginx.terminate()
try? FileManager.default.removeItem(atPath: dir)
