import Testing
import Foundation
@testable import TwisterProtocols

/// Runs the `twister` executable built next to the test bundle (skips when it is not there).
@ReactorActor
final class TwisterProcess: ProcessProtocol {
    var out = ByteBuffer()
    var err = ByteBuffer()
    let ended = Deferred<ProcessEnd>()
    override func outReceived(_ data: ByteBuffer) { out.writeBuffer(data) }
    override func errReceived(_ data: ByteBuffer) { err.writeBuffer(data) }
    override func processEnded(_ reason: Failure) { ended.callback(reason.error as! ProcessEnd) }

    static var executable: String? {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("twister").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// Waits for "echo: listening on HOST:PORT" and returns the port.
    func listeningPort() async throws -> Int? {
        guard try await eventually(timeout: 5, { String(buffer: self.out).contains("\n") }) else { return nil }
        let line = String(buffer: out)
        guard let colon = line.lastIndex(of: ":") else { return nil }
        return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

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
        guard let exe = TwisterProcess.executable else { return }
        let p = TwisterProcess()
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
        guard let exe = TwisterProcess.executable else { return }
        let p = TwisterProcess()
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
        guard let exe = TwisterProcess.executable else { return }
        let p = TwisterProcess()
        _ = try Reactor.shared.spawnProcess(p, exe, args: ["twister", "echo", "--listen", "tcp:80:colour=red"])
        #expect(try await resultOf(p.ended, timeout: 5) == .terminated(exitCode: 2, signal: nil))
        #expect(String(buffer: p.err).contains("colour"))
    }
}
