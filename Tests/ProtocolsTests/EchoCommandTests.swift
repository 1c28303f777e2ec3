import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

/// CPU time (user + system clock ticks) used so far by `pid`.
func cpuTicks(_ pid: Int32) -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = s.lastIndex(of: ")") else { return nil }
    let fields = s[s.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let u = Int(fields[11]), let k = Int(fields[12]) else { return nil }
    return u + k
}

@Suite struct EchoCommandTests {
    @Test @ReactorActor func echoServesManyConnectionsAndStopsOnSIGINT() async throws {
        guard let exe = ProcessRecorder.siblingExecutable("twister") else { return }
        let p = ProcessRecorder()
        let t = try Reactor.shared.spawnProcess(p, exe, args: ["twister", "echo", "--listen", "tcp:0:interface=127.0.0.1"])
        guard let port = try await p.listeningPort() else {
            Issue.record("no listening line: \(p.out) \(p.err)"); try? t.signalProcess(SIGKILL); return
        }
        var clients: [RecordingProtocol] = []
        for _ in 0..<20 { clients.append(try await connectLocal(port).1) }
        for (i, c) in clients.enumerated() { c.transport?.write("message \(i)") }
        #expect(try await eventually { clients.enumerated().allSatisfy { String(buffer: $1.received) == "message \($0)" } })
        try t.signalProcess(SIGINT)
        #expect(try await resultOf(p.ended, timeout: 5) == .done)
    }

    @Test @ReactorActor func acceptSurvivesDescriptorExhaustionWithoutSpinningAndRecovers() async throws {
        guard let exe = ProcessRecorder.siblingExecutable("twister") else { return }
        let p = ProcessRecorder()
        let t = try Reactor.shared.spawnProcess(p, "/bin/sh", args: [
            "sh", "-c", "ulimit -n 24 && exec \"$0\" echo --listen tcp:0:interface=127.0.0.1", exe])
        guard let port = try await p.listeningPort() else {
            Issue.record("no listening line: \(p.out) \(p.err)"); try? t.signalProcess(SIGKILL); return
        }
        // Far more connections than the server has descriptors for.
        var factories: [TestClientFactory] = []
        for _ in 0..<40 {
            let f = TestClientFactory()
            _ = Reactor.shared.connectTCP(host: "127.0.0.1", port: port, factory: f, timeout: 2)
            factories.append(f)
        }
        #expect(try await eventually(timeout: 3) { factories.allSatisfy { !$0.built.isEmpty || !$0.failures.isEmpty } })
        // Those beyond the limit were accepted and closed by the server (the spare-descriptor trick).
        #expect(try await eventually(timeout: 3) { factories.contains { !$0.losses.isEmpty } })
        // The server is idle, not spinning on a readable listening socket.
        if let before = cpuTicks(t.pid) {
            try await sleep(0.5)
            if let after = cpuTicks(t.pid) { #expect(after - before < 15, "server used \(after - before) ticks in 0.5 s") }
        }
        // Free the descriptors: serving resumes.
        for f in factories { for b in f.built { b.transport?.abortConnection() } }
        try await sleep(0.1)
        let (_, c) = try await connectLocal(port)
        c.transport?.write("still serving")
        #expect(try await c.waitFor(bytes: 13))
        c.transport?.loseConnection()
        try t.signalProcess(SIGTERM)
        #expect(try await resultOf(p.ended, timeout: 5) == .done)
    }

    @Test @ReactorActor func aBadEndpointDescriptionExitsWithAnErrorNamingTheField() async throws {
        guard let exe = ProcessRecorder.siblingExecutable("twister") else { return }
        let p = ProcessRecorder()
        _ = try Reactor.shared.spawnProcess(p, exe, args: ["twister", "echo", "--listen", "tcp:80:colour=red"])
        #expect(try await resultOf(p.ended, timeout: 5) == .terminated(exitCode: 2, signal: nil))
        #expect(String(buffer: p.err).contains("colour"))
    }

    /// `Reactor.run { }` reports a failed listen: each server command on a port already bound exits with status 1
    /// and says why on stderr, instead of running without listening.
    @Test(arguments: ["echo", "hello"]) @ReactorActor
    func aListenOnAPortInUseExitsNonZeroWithAMessage(command: String) async throws {
        guard let exe = ProcessRecorder.siblingExecutable("twister") else { return }
        let taken = try Reactor.shared.listenTCP(0, Factory { RecordingProtocol() }, interface: "127.0.0.1")
        defer { _ = taken.stopListening() }
        let p = ProcessRecorder()
        _ = try Reactor.shared.spawnProcess(p, exe, args: ["twister", command, "--listen", "tcp:\(taken.host.port):interface=127.0.0.1"])
        #expect(try await resultOf(p.ended, timeout: 5) == .terminated(exitCode: 1, signal: nil))
        #expect(String(buffer: p.err).contains("cannot listen on tcp:\(taken.host.port)"), "stderr: \(String(buffer: p.err))")
        #expect(!String(buffer: p.out).contains("listening on"))
    }
}
