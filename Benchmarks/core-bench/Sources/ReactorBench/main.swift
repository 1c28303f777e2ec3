// Reactor benchmark (issue 3): Twister's reactor beside SwiftNIO (one event-loop thread) and Twisted (epoll
// reactor), in one run. Servers are pinned to core 0 (`taskset -c 0`), the load generator to core 1; the load
// generator (`loadgen`, C) is the same program for every server, so only the server differs.
//
// Env: NICE (-15 as root), ROUNDS (default 3; rounds interleave the servers, medians are reported), SECONDS (per load test, 3),
//      IDLE_CONNS (10000), TIMERS (1000000), PYTHON (/tmp/peers-venv/bin/python), ONLY (comma list of servers),
//      EXTRA_TWISTER (another twister-server binary to run beside, named EXTRA_NAME).
import BenchSupport
import Foundation

let env = ProcessInfo.processInfo.environment
let rounds = Int(env["ROUNDS"] ?? "") ?? 3
let seconds = env["SECONDS"] ?? "3"
let idleConns = Int(env["IDLE_CONNS"] ?? "") ?? 10_000
let timers = Int(env["TIMERS"] ?? "") ?? 1_000_000
let python = env["PYTHON"] ?? "/tmp/peers-venv/bin/python"
let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let packageDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
// Servers and load generator all run at the same raised priority (NICE, default -15; needs root, else ignored)
// so that other work on the machine perturbs them less; every server gets the same treatment.
let niceLevel = env["NICE"] ?? (getuid() == 0 ? "-15" : "0")
let pinServer = ["nice", "-n", niceLevel, "taskset", "-c", "0"]
let loadgen = ["nice", "-n", niceLevel, "taskset", "-c", "1", "\(binDir)/loadgen"]

struct Server { let name: String; let argv: [String] }
var servers = [
    Server(name: "Twister", argv: ["\(binDir)/twister-server"]),
    Server(name: "SwiftNIO", argv: ["\(binDir)/nio-server"]),
    Server(name: "Twisted", argv: [python, "\(packageDir)/twisted_server.py"]),
]
// EXTRA_TWISTER=/path/to/twister-server (and EXTRA_NAME, default "Twister@base"): another build of Twister's server
// beside ours in the same run (before/after comparisons of a change).
if let extra = env["EXTRA_TWISTER"] { servers.insert(Server(name: env["EXTRA_NAME"] ?? "Twister@base", argv: [extra]), at: 1) }
if let only = env["ONLY"] { servers = servers.filter { only.split(separator: ",").map(String.init).contains($0.name) } }

// Listening ports below the ephemeral range (32768-60999), a new one for every server started.
var port = 20000 + Int(getpid() % 400) * 20
func startEcho(_ s: Server) -> (Child, Int) {
    for _ in 0..<5 {
        port += 1
        if port >= 32000 { port = 20000 }
        let c = try! Child(pinServer + s.argv + ["echo", "\(port)"])
        if c.readLine() == "listening" { return (c, port) }
        c.stop()
    }
    fatalError("\(s.name) did not start")
}

/// User + system CPU seconds used so far by process `pid` (all its threads), from /proc/PID/stat.
func cpuSeconds(_ pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return .nan }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
    guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return .nan }
    return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

var results: [String: [String: [Double]]] = [:] // metric -> server -> samples
func record(_ metric: String, _ server: String, _ v: Double?) {
    guard let v else { FileHandle.standardError.write("\(server) \(metric): no result\n".data(using: .utf8)!); return }
    results[metric, default: [:]][server, default: []].append(v)
    FileHandle.standardError.write("  \(server) \(metric): \(v)\n".data(using: .utf8)!)
}

let machine = machineLine()
var loads = [loadLine()]
for round in 0..<rounds {
    FileHandle.standardError.write("round \(round + 1)/\(rounds)\n".data(using: .utf8)!)
    for s in servers {
        // A fresh server for every test, so one test's buffers (or a crash) cannot affect the next.
        let tests: [(String, [String], String)] = [
            ("stream", ["stream", seconds], "MB/s"),
            ("pp1", ["pingpong", "1", seconds, "64"], "rt/s"),
            ("pp100", ["pingpong", "100", seconds, "64"], "rt/s"),
        ]
        for (metric, argv, key) in tests {
            let (c, p) = startEcho(s)
            var a = argv
            a.insert("\(p)", at: 1)
            let cpu0 = cpuSeconds(c.pid)
            let out = runCapture(loadgen + a)
            usleep(100_000) // let the server finish what was in flight
            let cpu = cpuSeconds(c.pid) - cpu0
            record(metric, s.name, number(after: key, in: out))
            // Work per CPU-second of the server: independent of how much of the core it was given.
            if let total = number(after: metric == "stream" ? "total bytes" : "total trips", in: out), cpu > 0 {
                record(metric + "PerCPU", s.name, metric == "stream" ? total / 1e6 / cpu : total / cpu)
            }
            if !c.process.isRunning { FileHandle.standardError.write("\(s.name) server died during \(metric)\n".data(using: .utf8)!) }
            c.stop()
        }
        do {
            let (c, p) = startEcho(s)
            let out = runCapture(loadgen + ["idle", "\(p)", "\(idleConns)", "\(c.pid)"])
            record("idle", s.name, number(after: "bytes/conn", in: out))
            c.stop()
        }
        let t = runCapture(pinServer + s.argv + ["timers", "\(timers)"])
        record("timersBatch", s.name, number(after: "batch pairs/s", in: t))
        record("timersInterleaved", s.name, number(after: "interleaved pairs/s", in: t))
        if s.name.hasPrefix("Twister") {
            let l = runCapture(pinServer + s.argv + ["lateness", "200"])
            record("latenessMedian", s.name, number(after: "lateness median us", in: l))
            record("latenessP99", s.name, number(after: "lateness p99 us", in: l))
            record("earlyCalls", s.name, number(after: "early calls", in: l))
        }
    }
    loads.append(loadLine())
}

func med(_ metric: String, _ server: String) -> Double { results[metric]?[server].map(median) ?? .nan }

print("## Reactor (issue 3)")
print("")
print("machine: \(machine)")
for l in loads { print("load: \(l)") }
print("median of \(rounds) rounds; servers on core 0, loadgen on core 1, both at nice \(niceLevel); \(seconds) s per load test after 0.5 s warm-up")
print("")
let metrics: [(String, String, Bool)] = [
    ("stream", "TCP echo throughput, 1 connection, 64 KiB writes (MB/s)", false),
    ("pp1", "64-byte ping-pong, 1 connection (round trips/s)", false),
    ("pp100", "64-byte ping-pong, 100 connections (round trips/s)", false),
    ("streamPerCPU", "echo throughput per server CPU-second (MB)", false),
    ("pp1PerCPU", "ping-pong, 1 connection: round trips per server CPU-second", false),
    ("pp100PerCPU", "ping-pong, 100 connections: round trips per server CPU-second", false),
    ("timersBatch", "\(fmt(Double(timers))) callLater, then \(fmt(Double(timers))) cancel (pairs/s)", false),
    ("timersInterleaved", "\(fmt(Double(timers))) × (callLater; cancel) (pairs/s)", false),
    ("idle", "user-space memory per idle connection, \(fmt(Double(idleConns))) open (bytes; lower is better)", true),
]
let names = servers.map(\.name)
let peers = names.filter { $0 != "Twister" }
printTable(["benchmark"] + names + peers.map { "Twister/\($0)" }, metrics.map { m in
    let ours = med(m.0, "Twister")
    return [m.1] + names.map { fmt(med(m.0, $0), m.0.hasPrefix("stream") ? 1 : 0) } + peers.map { p in
        let v = med(m.0, p)
        if ours.isNaN || v.isNaN { return "—" }
        // >1 always means Twister is better (for memory: the peer's bytes over ours).
        return fmt(m.2 ? v / ours : ours / v, 2) + "x"
    }
})
print("")
// Twister only (the suite asserts only that a call is never early; how late it is belongs here).
for name in names where name.hasPrefix("Twister") {
    print("\(name): callLater(5 ms) lateness over 200 calls, median \(fmt(med("latenessMedian", name))) µs, "
        + "p99 \(fmt(med("latenessP99", name))) µs, early calls \(fmt(med("earlyCalls", name)))")
}
print("")
print("(targets: throughput and round trips ≥1.2x SwiftNIO on one core; under 4 KiB per idle connection)")
