// Clients benchmark (issue 6): Twister's MemCacheProtocol and RedisProtocol, each over one connection with
// pipelining, beside `redis-benchmark -P 16 -t get,set -n 200000 -q` and Twisted's MemCacheProtocol, in one run.
//
// Every client does the same work as redis-benchmark: SET key:__rand_int__ xxx / GET key:__rand_int__, issued
// in batches of DEPTH commands; the next batch is written once the whole batch has answered (redis-benchmark's
// -P). DEPTH 16 is redis-benchmark's -P 16 on one connection; DEPTH 800 is the 16 × 50 commands that
// redis-benchmark's default 50 connections keep in flight, here on our one connection.
//
// Env: ROUNDS (3, interleaved; medians), N (200000), TWISTED_N (50000), PYTHON, MEMCACHED (port 11211), REDIS (6379),
//      DEPTHS (16,800), ONLY (twister,twisted,rb).
import Foundation
import TwisterProtocols

let env = ProcessInfo.processInfo.environment
let rounds = Int(env["ROUNDS"] ?? "") ?? 3
let n = Int(env["N"] ?? "") ?? 200_000
let twistedN = Int(env["TWISTED_N"] ?? "") ?? 50_000
let python = env["PYTHON"] ?? "/tmp/peers-venv/bin/python"
let memcachedPort = Int(env["MEMCACHED"] ?? "") ?? 11211
let redisPort = Int(env["REDIS"] ?? "") ?? 6379
let packageDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let depths = (env["DEPTHS"] ?? "16,800").split(separator: ",").compactMap { Int($0) }
/// Which parts run: twister (our clients), twisted, rb (redis-benchmark); all by default.
let only = Set((env["ONLY"] ?? "twister,twisted,rb").split(separator: ",").map(String.init))
/// Which of our operations run (for callgrind runs of one operation): mc-set, mc-get, redis-set, redis-get.
let ops = Set((env["OPS"] ?? "mc-set,mc-get,redis-set,redis-get").split(separator: ",").map(String.init))

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    if s.isEmpty { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func capture(_ argv: [String]) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    let pipe = Pipe()
    p.standardOutput = pipe
    guard (try? p.run()) != nil else { return "" }  // (valgrind cannot spawn)
    let d = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: d, as: UTF8.self)
}

func number(after prefix: String, in text: String) -> Double? {
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
        let l = line.trimmingCharacters(in: .whitespaces)
        guard l.hasPrefix(prefix) else { continue }
        let token = l.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? ""
        if let d = Double(token.replacingOccurrences(of: ",", with: "")) { return d }
    }
    return nil
}

/// Holds a result handed from the reactor thread to the main thread (ordered by the semaphore).
final class ResultBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}

/// Runs `body` on the reactor thread and blocks the calling (main) thread until it returns.
func onReactor<T>(_ body: @escaping @Sendable @ReactorActor () async throws -> T) -> T {
    let sem = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    // A `Deferred { }` body started on the reactor has the reactor as its executor preference: every `await` in
    // `body` resumes on the reactor thread (a plain `Task { @ReactorActor in }` resumes through the global pool
    // first, one thread hop per await).
    Reactor.shared.callFromThread {
        _ = Deferred<Void> {
            do { box.value = .success(try await body()) } catch { box.value = .failure(error) }
            sem.signal()
        }
    }
    sem.wait()
    switch box.value! {
    case .success(let v): return v
    case .failure(let e): fatalError("benchmark failed: \(e)")
    }
}

/// User + system CPU seconds of this process so far (the reactor thread does the client's work).
func cpuNow() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

/// User + system CPU seconds used so far by every process named `name` (memcached, redis-server), from /proc.
func serverCPU(_ name: String) -> Double {
    var total = 0.0
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
        guard let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8),
              comm.trimmingCharacters(in: .whitespacesAndNewlines) == name,
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let f = stat[stat.index(after: close)...].split(separator: " ")
        if f.count > 13, let u = Double(f[11]), let sy = Double(f[12]) { total += (u + sy) / ticks }
    }
    return total
}

/// Runs `body`, returning its result and the share of one core that the server `name` used meanwhile (0–1).
@ReactorActor func withServerLoad<T>(_ name: String, _ body: () async throws -> T) async rethrows -> (T, Double) {
    let c = serverCPU(name), t = now()
    let r = try await body()
    return (r, (serverCPU(name) - c) / (now() - t))
}

/// How the next batch is issued: `await` (a task awaits the batch's last Deferred) or `callbacks` (the last
/// Deferred's callback issues the next batch, as Twisted code does; no task switch per batch).
let mode = env["MODE"] ?? "await"

/// Issues `count` commands in batches of `depth` and returns commands per second.
@ReactorActor func batches<T>(_ count: Int, _ depth: Int, _ op: @escaping () -> Deferred<T>) async throws -> Double {
    if mode == "callbacks" { return try await batchesWithCallbacks(count, depth, op) }
    return try await batchesAwaiting(count, depth, op)
}

@ReactorActor func batchesWithCallbacks<T>(_ count: Int, _ depth: Int, _ op: @escaping () -> Deferred<T>) async throws -> Double {
    let t = now()
    let finished = Deferred<Void>()
    var done = 0
    func batch() {
        var last: Deferred<T>!
        for _ in 0..<depth { last = op() }
        _ = last.addBoth { (r: Result<T, Failure>) -> Void in
            done += depth
            if case .failure(let f) = r { finished.errback(f) } else if done < count { batch() } else { finished.callback(()) }
        }
    }
    batch()
    try await finished.value
    return Double(done) / (now() - t)
}

@ReactorActor func batchesAwaiting<T>(_ count: Int, _ depth: Int, _ op: () -> Deferred<T>) async throws -> Double {
    let t = now()
    var done = 0
    while done < count {
        var last: Deferred<T>!
        for _ in 0..<depth { last = op() }
        _ = try await last.value
        done += depth
    }
    return Double(done) / (now() - t)
}

let (mc, redis) = onReactor { () async throws -> (MemCacheProtocol, RedisProtocol) in
    let mc = try await ClientCreator(Reactor.shared) { MemCacheProtocol(timeout: 30) }
        .connectTCP(host: "127.0.0.1", port: memcachedPort).value
    let redis = try await ClientCreator(Reactor.shared) { RedisProtocol() }
        .connectTCP(host: "127.0.0.1", port: redisPort).value
    try await redis.whenReady().value
    return (mc, redis)
}

nonisolated(unsafe) var samples: [String: [Double]] = [:]
func record(_ k: String, _ v: Double?) {
    guard let v, v.isFinite else { FileHandle.standardError.write("  \(k): no result\n".data(using: .utf8)!); return }
    samples[k, default: []].append(v)
    FileHandle.standardError.write("  \(k): \(Int(v))\n".data(using: .utf8)!)
}

let value = ByteBuffer(string: "xxx")
var loads = [capture(["uptime"]).trimmingCharacters(in: .whitespacesAndNewlines)]
for round in 0..<rounds {
    FileHandle.standardError.write("round \(round + 1)/\(rounds)\n".data(using: .utf8)!)
    for depth in depths {
        if only.contains("twister") {
        let r = onReactor { () async throws -> [Double] in
            var out: [Double] = []
            var c = cpuNow()
            var load = (0.0, 0.0)
            if ops.contains("mc-set") {
                let (r, l) = try await withServerLoad("memcached") { try await batches(n, depth) { mc.set("key:__rand_int__", value) } }
                out.append(r); load.0 = l
            } else { out.append(.nan) }
            out.append(Double(n) / (cpuNow() - c)); c = cpuNow()
            if ops.contains("mc-get") {
                let (r, l) = try await withServerLoad("memcached") { try await batches(n, depth) { mc.get("key:__rand_int__") } }
                out.append(r); load.1 = l
            } else { out.append(.nan) }
            out.append(Double(n) / (cpuNow() - c)); c = cpuNow()
            out.append(ops.contains("redis-set") ? try await batches(n, depth) { redis.set("key:__rand_int__", "xxx") } : .nan)
            out.append(ops.contains("redis-get") ? try await batches(n, depth) { redis.get("key:__rand_int__") } : .nan)
            out.append(Double(2 * n) / (cpuNow() - c))
            out.append(load.0 * 100)
            out.append(load.1 * 100)
            return out
        }
        record("twister mc set \(depth)", r[0])
        record("twister mc set cpu \(depth)", r[1])
        record("twister mc get \(depth)", r[2])
        record("twister mc get cpu \(depth)", r[3])
        record("twister redis set \(depth)", r[4])
        record("twister redis get \(depth)", r[5])
        record("twister redis cpu \(depth)", r[6])
        record("memcached cpu% during twister set \(depth)", r[7])
        record("memcached cpu% during twister get \(depth)", r[8])
        }
        guard only.contains("twisted") else { continue }
        let (c0, t0) = (serverCPU("memcached"), now())
        let tw = capture([python, "\(packageDir)/twisted_memcache.py", "\(twistedN)", "\(depth)", "\(memcachedPort)"])
        record("memcached cpu% during twisted \(depth)", (serverCPU("memcached") - c0) / (now() - t0) * 100)
        record("twisted mc set \(depth)", number(after: "set/s", in: tw))
        record("twisted mc get \(depth)", number(after: "get/s", in: tw))
        record("twisted mc set cpu \(depth)", number(after: "set per cpu-s", in: tw))
        record("twisted mc get cpu \(depth)", number(after: "get per cpu-s", in: tw))
    }
    for clients in [1, 50] where only.contains("rb") {
        let timeFile = NSTemporaryDirectory() + "clients-bench-rb-\(getpid()).txt"
        let rb = capture(["/usr/bin/time", "-f", "cpu %U %S", "-o", timeFile, "redis-benchmark", "-p", "\(redisPort)", "-c", "\(clients)", "-P", "16", "-t", "get,set",
                          "-n", "\(n)", "-q"])
        record("redis-benchmark set \(clients)", number(after: "SET:", in: rb))
        record("redis-benchmark get \(clients)", number(after: "GET:", in: rb))
        // The client's own CPU for SET and GET together (2 × N commands).
        let t = ((try? String(contentsOfFile: timeFile, encoding: .utf8)) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" })
        if t.count >= 3, let u = Double(t[1]), let s = Double(t[2]), u + s > 0 {
            record("redis-benchmark cpu \(clients)", Double(2 * n) / (u + s))
        }
    }
    loads.append(capture(["uptime"]).trimmingCharacters(in: .whitespacesAndNewlines))
}

func m(_ k: String) -> Double { samples[k].map(median) ?? .nan }
func f(_ x: Double) -> String {
    if x.isNaN { return "—" }
    let nf = NumberFormatter()
    nf.numberStyle = .decimal
    nf.groupingSeparator = ","
    return nf.string(from: NSNumber(value: Int(x.rounded()))) ?? "\(x)"
}
func r(_ a: Double, _ b: Double) -> String { a.isNaN || b.isNaN ? "—" : String(format: "%.2fx", a / b) }

let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
    .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":")[1]).trimmingCharacters(in: .whitespaces) } ?? "?"
print("## Clients: memcached and Redis (issue 6)")
print("")
print("machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(cpu), Linux \(capture(["uname", "-r"]).trimmingCharacters(in: .whitespacesAndNewlines)), \(capture(["swift", "--version"]).split(separator: "\n").first ?? "")")
for l in loads { print("load: \(l)") }
print("mode: \(mode) (how our client issues the next batch); median of \(rounds) interleaved rounds; \(f(Double(n))) commands per Twister/redis-benchmark figure, \(f(Double(twistedN))) per Twisted figure")
print("")
print("### Redis (commands/s; ratio target ≥0.8x redis-benchmark)")
print("")
print("| command | Twister, 1 conn, depth 16 | Twister, 1 conn, depth 800 | redis-benchmark -c 1 -P 16 | redis-benchmark -c 50 -P 16 (default) | Twister d16 / rb -c 1 | Twister d800 / rb -c 50 |")
print("|---|---|---|---|---|---|---|")
for c in ["set", "get"] {
    let a = m("twister redis \(c) 16"), b = m("twister redis \(c) 800")
    let r1 = m("redis-benchmark \(c) 1"), r50 = m("redis-benchmark \(c) 50")
    print("| \(c.uppercased()) | \(f(a)) | \(f(b)) | \(f(r1)) | \(f(r50)) | \(r(a, r1)) | \(r(b, r50)) |")
}
do {
    let a = m("twister redis cpu 16"), b = m("twister redis cpu 800")
    let r1 = m("redis-benchmark cpu 1"), r50 = m("redis-benchmark cpu 50")
    print("| SET+GET per client CPU-second | \(f(a)) | \(f(b)) | \(f(r1)) | \(f(r50)) | \(r(a, r1)) | \(r(b, r50)) |")
}
print("")
print("### memcached (commands/s; ratio target ≥10x Twisted)")
print("")
print("| command | Twister, depth 16 | Twisted, depth 16 | Twister/Twisted | Twister, depth 800 | Twisted, depth 800 | Twister/Twisted |")
print("|---|---|---|---|---|---|---|")
for c in ["set", "get"] {
    let a = m("twister mc \(c) 16"), ta = m("twisted mc \(c) 16")
    let b = m("twister mc \(c) 800"), tb = m("twisted mc \(c) 800")
    print("| \(c) | \(f(a)) | \(f(ta)) | \(r(a, ta)) | \(f(b)) | \(f(tb)) | \(r(b, tb)) |")
}
do {
    let a = m("memcached cpu% during twister set 16"), ag = m("memcached cpu% during twister get 16"), ta = m("memcached cpu% during twisted 16")
    let b = m("memcached cpu% during twister set 800"), bg = m("memcached cpu% during twister get 800"), tb = m("memcached cpu% during twisted 800")
    print("| memcached's own CPU, % of one core (set / get; Twisted: whole run) | \(f(a)) / \(f(ag)) | \(f(ta)) | | \(f(b)) / \(f(bg)) | \(f(tb)) | |")
}
for c in ["set", "get"] {
    let a = m("twister mc \(c) cpu 16"), ta = m("twisted mc \(c) cpu 16")
    let b = m("twister mc \(c) cpu 800"), tb = m("twisted mc \(c) cpu 800")
    print("| \(c) per client CPU-second | \(f(a)) | \(f(ta)) | \(r(a, ta)) | \(f(b)) | \(f(tb)) | \(r(b, tb)) |")
}
exit(0)
