import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// ``AsyncRequestHandler`` verbs run on the reactor's reused worker tasks (`ReusableTaskPool`, issue 10's 1.5x
/// item): order, cancellation on client loss, errors, no leak, reactor thread.
@Suite(.serialized) @ReactorActor struct TornadoAsyncWorkerTests {
    /// One gate per path argument; a handler awaits the gate of its path.
    @ReactorActor static var gates: [String: Deferred<String>] = [:]
    @ReactorActor static var cancelled: [String] = []
    @ReactorActor static var seen: [String] = []
    @ReactorActor static weak var lastHandler: Gated?
    @ReactorActor static var onReactorThread: [Bool] = []

    final class Gated: AsyncRequestHandler {
        override func get() async throws {
            let key = pathArgs[0] ?? ""
            TornadoAsyncWorkerTests.lastHandler = self
            TornadoAsyncWorkerTests.onReactorThread.append(Reactor.shared.isInReactorThread)
            TornadoAsyncWorkerTests.seen.append("start \(key)")
            let gate = TornadoAsyncWorkerTests.gates[key] ?? Deferred<String>.succeed(key)
            do {
                let v = try await gate.value
                TornadoAsyncWorkerTests.onReactorThread.append(Reactor.shared.isInReactorThread)
                if v == "throw" { throw Oops() }
                write("got \(v)")
            } catch let e as CancelledError {
                TornadoAsyncWorkerTests.seen.append("cancelled \(key)")
                throw e
            }
        }
        override func onConnectionClose() { TornadoAsyncWorkerTests.seen.append("close") }
    }
    struct Oops: Error {}

    static func gate(_ key: String) -> Deferred<String> {
        let d = Deferred<String>(canceller: { _ in TornadoAsyncWorkerTests.cancelled.append(key) })
        gates[key] = d
        return d
    }

    init() {
        Self.gates = [:]; Self.cancelled = []; Self.seen = []; Self.onReactorThread = []
    }

    func settle(_ h: AppHarness, until done: () -> Bool) async {
        for _ in 0..<200 where !done() { await Task.yield() }
    }

    @Test func pipelinedAsyncRequestsAreAnsweredInOrder() async throws {
        let a = Self.gate("a"), b = Self.gate("b")
        let h = AppHarness([URLSpec("/(.*)", Gated.self)])
        h.harness.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n")
        b.callback("B")
        a.callback("A")
        var out = ""
        for _ in 0..<200 where !out.contains("got c") { await Task.yield(); out += h.harness.transport.take() }
        let ia = try #require(out.range(of: "got A")), ib = try #require(out.range(of: "got B")), ic = try #require(out.range(of: "got c"))
        #expect(ia.lowerBound < ib.lowerBound && ib.lowerBound < ic.lowerBound)
        #expect(SiteHarness.statuses(out) == [200, 200, 200])
    }

    @Test func aClientLeavingMidAwaitCancelsTheAwaitedDeferred() async throws {
        _ = Self.gate("slow")
        let h = AppHarness([URLSpec("/(.*)", Gated.self)])
        #expect(h.fetch("/slow") == nil)
        #expect(Self.seen == ["start slow"])
        h.harness.transport.finishLoss(.lost("test"))
        #expect(Self.cancelled == ["slow"])
        await settle(h) { Self.seen.count == 3 }
        #expect(Self.seen == ["start slow", "close", "cancelled slow"])
        #expect(h.harness.transport.written.readableBytes == 0)
        await settle(h) { Self.lastHandler == nil }
        #expect(Self.lastHandler == nil)
    }

    @Test func aThrownErrorAfterTheAwaitIsA500() async throws {
        let g = Self.gate("e")
        let h = AppHarness([URLSpec("/(.*)", Gated.self)])
        #expect(h.fetch("/e") == nil)
        g.callback("throw")
        var r = h.take()
        for _ in 0..<200 where r == nil { await Task.yield(); r = h.take() }
        #expect(r?.code == 500)
    }

    @Test func noHandlerOrWorkerIsLeftAfterTheConnectionCloses() async throws {
        let pool = AsyncRequestHandler.workers
        let created = pool.tasksCreated
        let h = AppHarness([URLSpec("/(.*)", Gated.self)])
        for i in 0..<20 {
            let g = Self.gate("k\(i)")
            #expect(h.fetch("/k\(i)") == nil)
            g.callback("v\(i)")
            var r = h.take()
            for _ in 0..<200 where r == nil { await Task.yield(); r = h.take() }
            #expect(r?.body == "got v\(i)")
        }
        // Twenty requests awaiting one at a time reuse the worker that a suite running alongside leaves idle.
        #expect(pool.tasksCreated - created < 20)
        h.harness.transport.finishLoss()
        await settle(h) { Self.lastHandler == nil }
        #expect(Self.lastHandler == nil)
        #expect(pool.idleCount >= 1 && pool.idleCount <= pool.maxIdle)
    }

    @Test func theVerbStartsAtOnceAndStaysOnTheReactorThread() async throws {
        let g = Self.gate("t")
        let h = AppHarness([URLSpec("/(.*)", Gated.self)])
        h.fetch("/t")
        #expect(Self.seen == ["start t"])
        g.callback("T")
        var r = h.take()
        for _ in 0..<200 where r == nil { await Task.yield(); r = h.take() }
        #expect(r?.body == "got T")
        #expect(Self.onReactorThread == [true, true])
    }
}

/// ``ReusableTaskPool`` on the reactor: reuse, the idle bound, and cancellation of a body awaiting no Deferred.
@Suite(.serialized) @ReactorActor struct ReusableTaskPoolTests {
    final class Box { var log: [String] = []; var gates: [Deferred<Void>] = [] }

    @Test func workersAreReusedAndAtMostMaxIdleStayParked() async throws {
        let pool = ReusableTaskPool(starter: ReactorActor.shared, maxIdle: 1)
        let box = Box()
        weak var weakBox: Box?
        do {
            let local = Box()
            weakBox = local
            for _ in 0..<3 { local.gates.append(Deferred<Void>()) }
            for i in 0..<3 {
                local.log.append("start \(i)")
                let run = pool.start(local) { o in
                    let b = o as! Box
                    let i = b.log.count - 1
                    try? await b.gates[i].value
                    b.log.append("end \(i)")
                }
                #expect(run.isRunning)
            }
            #expect(pool.workerCount == 3 && pool.tasksCreated == 3 && pool.idleCount == 0)
            for g in local.gates { g.callback(()) }
            for _ in 0..<200 where pool.workerCount > 1 { await Task.yield() }
            #expect(local.log.filter { $0.hasPrefix("end") }.count == 3)
        }
        #expect(pool.workerCount == 1 && pool.idleCount == 1)
        for _ in 0..<50 where weakBox != nil { await Task.yield() }
        #expect(weakBox == nil)   // the parked worker holds no owner
        // A body that never suspends runs inside `start` on the parked worker, without a new task.
        let run = pool.start(box) { o in (o as! Box).log.append("sync") }
        #expect(!run.isRunning && box.log == ["sync"] && pool.tasksCreated == 3 && pool.idleCount == 1)
    }

    @Test func cancellingABodyThatAwaitsNoDeferredCancelsTheWorkerTaskWhichThenEnds() async throws {
        let pool = ReusableTaskPool(starter: ReactorActor.shared, maxIdle: 4)
        let box = Box()
        let run = pool.start(box) { o in
            let b = o as! Box
            do {
                try await Task.sleep(for: .seconds(600))
                b.log.append("slept")
            } catch {
                b.log.append("cancelled \(error is CancellationError)")
            }
        }
        #expect(run.isRunning && pool.workerCount == 1)
        run.cancel()
        for _ in 0..<500 where pool.workerCount > 0 { await Task.yield() }
        #expect(box.log == ["cancelled true"])
        #expect(pool.workerCount == 0 && pool.idleCount == 0)
        run.cancel()   // after the body: no effect
    }
}
