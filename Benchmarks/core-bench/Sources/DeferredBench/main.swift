// Deferred benchmark (issue 2): the same work as the peers' own scripts, side by side in one run.
//   Twisted:  /tmp/peers-venv/bin/python /work/shared/bench/peers/twisted_deferred_bench.py
//   SwiftNIO: /tmp/peers-build/release/niofut   (EventLoopFuture on an EmbeddedEventLoop)
// REPS rounds (default 5) interleave one Twister run and one run of each peer; every figure is a median.
import BenchSupport
import Foundation
import TwisterDeferred

let env = ProcessInfo.processInfo.environment
let reps = Int(env["REPS"] ?? "") ?? 5
let peerRuns = Int(env["PEER_RUNS"] ?? "") ?? 5
let python = env["TWISTED_PYTHON"] ?? "/tmp/peers-venv/bin/python"
let twistedScript = env["TWISTED_DEFERRED_BENCH"] ?? "/work/shared/bench/peers/twisted_deferred_bench.py"
let niofut = env["NIOFUT"] ?? "/tmp/peers-build/release/niofut"
nonisolated(unsafe) var blackhole = 0

/// Chains of `n` callbacks (`x + 1`), built and fired `reps` times: steps per second (building counted, as in
/// both peers; one extra step per chain collects the result, as NIO's `whenSuccess` does).
@inline(never) func steps(_ n: Int, _ count: Int) -> Double {
    var sink = 0
    let t = now()
    for i in 0..<count {
        let d = Deferred<Int>()
        var h = d
        for _ in 0..<n { h = h.addCallback { $0 + 1 } }
        _ = h.addCallback { sink &+= $0 }
        d.callback(i)
    }
    let r = Double(n * count) / (now() - t)
    blackhole &+= sink
    return r
}

/// Create a Deferred, add one callback, fire it: per second.
@inline(never) func fireMany(_ n: Int) -> Double {
    var sink = 0
    let t = now()
    for i in 0..<n {
        let d = Deferred<Int>()
        _ = d.addCallback { $0 + 1 }.addCallback { sink &+= $0 }
        d.callback(i)
    }
    let r = Double(n) / (now() - t)
    blackhole &+= sink
    return r
}

/// A 100,000-deep chain whose every callback returns an already-fired Deferred. Returns (build+fire seconds,
/// fire-only seconds): NIO times both, Twisted only the firing.
@inline(never) func deep(_ n: Int) -> (Double, Double) {
    var sink = 0
    let t0 = now()
    let d = Deferred<Int>()
    var h: Deferred<Int> = d
    for _ in 0..<n { h = h.addDeferredCallback { x in Deferred.succeed(x + 1) } }
    _ = h.addCallback { sink = $0 }
    let t1 = now()
    d.callback(0)
    let t2 = now()
    precondition(sink == n, "deep chain ended with \(sink)")
    blackhole &+= sink
    return (t2 - t0, t2 - t1)
}

/// `try await Deferred.succeed(i).value` in a loop inside `Deferred { }` (Swift's inlineCallbacks): awaits per second.
@MainActor @inline(never) func awaits(_ n: Int) -> Double {
    let t = now()
    let d = Deferred<Int> {
        var s = 0
        for i in 0..<n { s &+= try await Deferred.succeed(i).value }
        return s
    }
    let r = Double(n) / (now() - t)
    guard case .success(let s)? = d.result else { fatalError("the body did not finish synchronously") }
    blackhole &+= s
    return r
}


let machine = machineLine()
let loadBefore = loadLine()
// Rounds interleave Twister, Twisted and SwiftNIO so that a change in the machine's load hits all of them.
var oursRuns: [String: [Double]] = [:]
var tw: [String: [Double]] = [:]
var nio: [String: [Double]] = [:]
for round in 0..<max(reps, peerRuns) {
    if round < reps {
        oursRuns["steps100", default: []].append(steps(100, 10_000))
        oursRuns["steps100k", default: []].append(steps(100_000, 1))
        oursRuns["fire", default: []].append(fireMany(300_000))
        let d = deep(100_000)
        oursRuns["deepAll", default: []].append(d.0)
        oursRuns["deepFire", default: []].append(d.1)
        oursRuns["awaits", default: []].append(MainActor.assumeIsolated { awaits(200_000) })
    }
    guard round < peerRuns else { continue }
    let t = runCapture([python, twistedScript])
    let pairs: [(String, String)] = [
        ("steps100", "twisted steps/s, 100-step chains"), ("steps100k", "twisted steps/s, 100k-step chain"),
        ("fire", "twisted create+add+fire/s"), ("deepFire", "twisted 100k-deep chain s"),
        ("awaits", "twisted awaits of fired Deferreds/s"),
    ]
    for (k, p) in pairs { if let v = number(after: p, in: t) { tw[k, default: []].append(v) } }
    let n = runCapture([niofut])
    let npairs: [(String, String)] = [
        ("steps100", "nio map steps/s, 100-step chains"), ("fire", "nio create+map+fire/s"),
        ("deepAll", "nio 100k-deep flatMap chain s"),
    ]
    for (k, p) in npairs { if let v = number(after: p, in: n) { nio[k, default: []].append(v) } }
}
let ours = oursRuns.mapValues(median)
let loadAfter = loadLine()

func peer(_ d: [String: [Double]], _ k: String) -> Double { d[k].map(median) ?? .nan }
/// ours / peer for rates; peer / ours for times (so > 1 always means Twister is faster).
func ratio(_ ours: Double, _ peer: Double, time: Bool) -> String {
    if peer.isNaN || ours.isNaN { return "—" }
    return fmt(time ? peer / ours : ours / peer, 2) + "x"
}

print("## Deferred (issue 2)")
print("")
print("machine: \(machine)")
print("load before: \(loadBefore)")
print("load after:  \(loadAfter)")
print("median of \(reps) interleaved rounds (Twister, Twisted, SwiftNIO)")
print("")
let rows: [(String, String, String, String, Bool)] = [
    ("callback steps/s, 100-step chains ×10,000 (build+fire)", "steps100", "steps100", "steps100", false),
    ("callback steps/s, one 100,000-step chain (build+fire)", "steps100k", "steps100k", "-", false),
    ("create + 1 callback + fire, per s (×300,000)", "fire", "fire", "fire", false),
    ("100,000-deep chain of fired Deferreds, s (build+fire)", "deepAll", "-", "deepAll", true),
    ("100,000-deep chain of fired Deferreds, s (fire only)", "deepFire", "deepFire", "-", true),
    ("await of a fired Deferred, per s (×200,000)", "awaits", "awaits", "-", false),
]
printTable(["benchmark", "Twister", "Twisted", "SwiftNIO", "Twister/Twisted", "Twister/SwiftNIO"], rows.map { r in
    let o = ours[r.1]!
    let t = r.2 == "-" ? Double.nan : peer(tw, r.2)
    let n = r.3 == "-" ? Double.nan : peer(nio, r.3)
    let f = { (x: Double) in r.4 ? fmt(x, 4) : fmt(x) }
    return [r.0, f(o), f(t), f(n), ratio(o, t, time: r.4), ratio(o, n, time: r.4)]
})
print("")
print("(ratios: >1 means Twister is faster; targets: ≥30x Twisted and ≥1x SwiftNIO per step)")
if blackhole == 42 { print("") }
