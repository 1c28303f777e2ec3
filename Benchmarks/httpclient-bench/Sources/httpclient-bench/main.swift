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

// Env: CONNS (1,32), ONLY (twister,ahc,twisted), REQUESTS (Twister only: stop after this many requests, no
// warm-up; for callgrind runs, which count instructions per request independently of the machine's load).
let env = ProcessInfo.processInfo.environment
let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 5 : 5
let connectionCounts = (env["CONNS"] ?? "1,32").split(separator: ",").compactMap { Int($0) }
let only = Set((env["ONLY"] ?? "twister,ahc,twisted").split(separator: ",").map(String.init))
let fixedRequests = Int(env["REQUESTS"] ?? "")

/// User + system CPU seconds of this process so far.
func cpuNow() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

/// User + system CPU seconds of the processes named `name` (the nginx worker), from /proc.
func processCPU(_ name: String) -> Double {
    var total = 0.0
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
        guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
              stat[stat.index(after: open)..<close] == name else { continue }
        let f = stat[stat.index(after: close)...].split(separator: " ")
        if f.count > 13, let u = Double(f[11]), let sy = Double(f[12]) { total += (u + sy) / ticks }
    }
    return total
}

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

// URL: use an nginx that is already running (callgrind runs: valgrind cannot spawn processes) instead of starting one.
let dir = NSTemporaryDirectory() + "httpclient-bench-\(getpid())"
let nginx = Process()
let url: String
if let given = env["URL"] {
    url = given
} else {
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
    nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
    nginx.arguments = ["-p", dir, "-e", dir + "/logs/error.log", "-c", dir + "/nginx.conf"]
    try nginx.run()
    usleep(500_000)
    url = "http://127.0.0.1:\(port)/index.html"
}


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
        _ = agent.request("GET", url).addDeferredCallback { readBody($0) }.addBoth { (r: Result<TwisterProtocols.ByteBuffer, Failure>) -> Void in
            if case .failure(let f) = r { print("twister error: \(f.error)") }
            self.counter.count += 1
            let more = fixedRequests.map { self.counter.count + self.connections <= $0 } ?? (Reactor.shared.seconds() < end)
            if more { self.loop(until: end, finished) } else { finished() }
        }
    }

    func start() {
        if fixedRequests != nil { measure(); return }
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

/// Requests/s and this process's CPU microseconds per request.
func twister(connections: Int) -> (Double, Double) {
    let done = DispatchSemaphore(value: 0)
    let counter = Counter()
    let c0 = cpuNow()
    Reactor.shared.callFromThread {
        TwisterLoad(connections: connections, counter: counter, done: done).start()
    }
    done.wait()
    // The warm-up is included in the CPU (short next to the run).
    return (Double(counter.count) / (counter.end - counter.start), (cpuNow() - c0) / Double(counter.count) * 1e6)
}

// MARK: AsyncHTTPClient

nonisolated(unsafe) var ahcCPU = 0.0

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
    let c0 = cpuNow()
    let (n, t) = try await run(for: seconds)
    ahcCPU = (cpuNow() - c0) / Double(n) * 1e6
    try await client.shutdown()
    try await group.shutdownGracefully()
    return Double(n) / t
}

// MARK: Twisted

/// Requests/s and Twisted's CPU microseconds per request.
func twisted(connections: Int) -> (Double, Double)? {
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
    let f = out.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
    return f.count == 2 ? (f[0], f[1]) : nil
}

// MARK: run

func fmt(_ x: Double?) -> String { x.map { String(format: "%.0f", $0) } ?? "n/a" }
func ratio(_ a: Double?, _ b: Double?, _ digits: Int = 2) -> String {
    guard let a, let b, b > 0 else { return "n/a" }
    return String(format: "%.\(digits)fx", a / b)
}

var rows: [String] = []
var cpuRows: [String] = []
for c in connectionCounts {
    var n0 = processCPU("nginx"), w0 = Date()
    let (t, tCPU) = only.contains("twister") ? twister(connections: c) : (Double.nan, Double.nan)
    let nginxT = (processCPU("nginx") - n0) / Date().timeIntervalSince(w0) * 100
    if fixedRequests != nil { print("twister: \(fixedRequests!) requests, \(Int(t)) req/s"); break }
    n0 = processCPU("nginx"); w0 = Date()
    let a: Double? = only.contains("ahc") ? try await ahc(connections: c) : nil
    let nginxA = (processCPU("nginx") - n0) / Date().timeIntervalSince(w0) * 100
    n0 = processCPU("nginx"); w0 = Date()
    let w = only.contains("twisted") ? twisted(connections: c) : nil
    let nginxW = (processCPU("nginx") - n0) / Date().timeIntervalSince(w0) * 100
    rows.append("| \(c) | \(fmt(t)) | \(fmt(a)) | \(fmt(w?.0)) | \(ratio(t, a)) | \(ratio(t, w?.0, 1)) |")
    cpuRows.append(String(format: "| %d | %.1f | %@ | %@ | %.0f%% / %.0f%% / %.0f%% |", c, tCPU, a == nil ? "n/a" : String(format: "%.1f", ahcCPU),
                          w.map { String(format: "%.1f", $0.1) } ?? "n/a", nginxT, nginxA, nginxW))
    print("connections \(c): twister \(Int(t)) req/s, AsyncHTTPClient \(fmt(a)) req/s, Twisted \(fmt(w?.0)) req/s")
}
print("")
print("| connections | Twister Agent (req/s) | AsyncHTTPClient (req/s) | Twisted Agent (req/s) | Twister / AHC | Twister / Twisted |")
print("|---|---|---|---|---|---|")
for r in rows { print(r) }
print("")
print("| connections | Twister CPU µs/request | AHC CPU µs/request | Twisted CPU µs/request | nginx CPU (% of a core) during Twister / AHC / Twisted |")
print("|---|---|---|---|---|")
for r in cpuRows { print(r) }
if nginx.isRunning { nginx.terminate() }
try? FileManager.default.removeItem(atPath: dir)
