// Twister side of the reactor benchmark (driven by reactor-bench; the load comes from `loadgen`).
//   twister-server echo PORT     an echo server on 127.0.0.1:PORT; prints "listening" once it accepts
//   twister-server timers N      N callLater+cancel pairs on the reactor thread, two ways; prints the rates
//   twister-server lateness N    N callLater(5 ms) one after another; prints how late they ran (never early)
//   twister-server awaits N      N awaits of a Deferred fired by the next loop pass, in a reactor task
import Foundation
import TwisterProtocols

/// Writes back whatever it receives (the same protocol as `twister echo`).
@ReactorActor
final class Echo: Protocol {
    override func dataReceived(_ data: ByteBuffer) { transport?.write(data) }
}

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Unbuffered line on standard output (the driver waits for it).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func raiseFileLimit() {
    var rl = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
    rl.rlim_cur = rl.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
}

@ReactorActor func awaitLoop<T: FixedWidthInteger>(_ n: Int, _ make: (Int) -> Deferred<T>) async throws -> T {
    var sum: T = 0
    for i in 0..<n { sum &+= try await make(i).value }
    return sum
}

let args = CommandLine.arguments
guard args.count >= 3, let n = Int(args[2]) else {
    FileHandle.standardError.write(Data("usage: twister-server echo PORT | timers N\n".utf8))
    exit(2)
}
raiseFileLimit()
let reactor = Reactor.shared

switch args[1] {
case "echo":
    reactor.callWhenRunning {
        do {
            _ = try reactor.listenTCP(n, Factory { Echo() }, backlog: 1024, interface: "127.0.0.1")
            say("listening")
        } catch {
            FileHandle.standardError.write(Data("cannot listen: \(error)\n".utf8))
            exit(1)
        }
    }
    reactor.run()
case "timers":
    reactor.callWhenRunning {
        // All N scheduled (a heap of N), then all N cancelled.
        var calls: [any DelayedCall] = []
        calls.reserveCapacity(n)
        let t0 = monotonic()
        for _ in 0..<n { calls.append(reactor.callLater(1.0) {}) }
        for c in calls { c.cancel() }
        let t1 = monotonic()
        calls = []
        // Each call cancelled right after it is scheduled.
        let t2 = monotonic()
        for _ in 0..<n { reactor.callLater(1.0) {}.cancel() }
        let t3 = monotonic()
        say(String(format: "batch pairs/s %.0f", Double(n) / (t1 - t0)))
        say(String(format: "interleaved pairs/s %.0f", Double(n) / (t3 - t2)))
        exit(0)
    }
    reactor.run()
case "lateness":
    // How late callLater runs (the test suite asserts only "never early"; lateness depends on the machine).
    reactor.callWhenRunning {
        var lateness: [Double] = []
        lateness.reserveCapacity(n)
        func next() {
            let start = reactor.seconds()
            reactor.callLater(0.005) {
                lateness.append(reactor.seconds() - start - 0.005)
                if lateness.count < n { next(); return }
                let sorted = lateness.sorted()
                func us(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1e6 }
                say(String(format: "lateness median us %.0f", us(0.5)))
                say(String(format: "lateness p99 us %.0f", us(0.99)))
                say(String(format: "lateness max us %.0f", sorted.last! * 1e6))
                say("early calls \(sorted.filter { $0 < 0 }.count)")
                exit(0)
            }
        }
        next()
    }
    reactor.run()
case "awaits-generic":
    // The same, awaited inside a generic @ReactorActor function (as clients-bench does).
    Task { @ReactorActor in
        let t0 = monotonic()
        let sum = try await awaitLoop(n) { i in
            let d = Deferred<Int>()
            reactor.callLater(0) { d.callback(i) }
            return d
        }
        let t1 = monotonic()
        say(String(format: "suspending awaits/s %.0f", Double(n) / (t1 - t0)))
        say("sum \(sum)")
        exit(0)
    }
    while true { sleep(100) }
case "awaits":
    // An await that really suspends: a Deferred fired by the next loop pass (callLater(0)), awaited on the reactor.
    Task { @ReactorActor in
        var sum = 0
        let t0 = monotonic()
        for i in 0..<n {
            let d = Deferred<Int>()
            reactor.callLater(0) { d.callback(i) }
            sum &+= try await d.value
        }
        let t1 = monotonic()
        say(String(format: "suspending awaits/s %.0f", Double(n) / (t1 - t0)))
        say("sum \(sum)")
        exit(0)
    }
    while true { sleep(100) }
default:
    FileHandle.standardError.write(Data("unknown mode \(args[1])\n".utf8))
    exit(2)
}
