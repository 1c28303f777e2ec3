import Testing
import Foundation
@testable import TwisterProtocols

@ReactorActor
final class RecordingProcess: ProcessProtocol {
    var out = ByteBuffer()
    var err = ByteBuffer()
    var events: [String] = []
    let ended = Deferred<ProcessEnd>()
    var exited: ProcessEnd?
    override func connectionMade() { events.append("made") }
    override func outReceived(_ data: ByteBuffer) { out.writeImmutableBuffer(data) }
    override func errReceived(_ data: ByteBuffer) { err.writeImmutableBuffer(data) }
    override func outConnectionLost() { events.append("out") }
    override func errConnectionLost() { events.append("err") }
    override func inConnectionLost() { events.append("in") }
    override func processExited(_ reason: Failure) { exited = reason.error as? ProcessEnd; events.append("exited") }
    override func processEnded(_ reason: Failure) {
        events.append("ended")
        ended.callback(reason.error as! ProcessEnd)
    }
}

@Suite struct ProcessTests {
    @Test @ReactorActor func exitCodeZeroEndsWithDoneAndCollectsStdout() async throws {
        let p = RecordingProcess()
        _ = try Reactor.shared.spawnProcess(p, "/bin/sh", args: ["sh", "-c", "echo hello; echo oops >&2"])
        #expect(try await resultOf(p.ended) == .done)
        #expect(String(buffer: p.out) == "hello\n")
        #expect(String(buffer: p.err) == "oops\n")
        #expect(p.events.first == "made" && p.events.last == "ended")
        #expect(p.events.contains("exited") && p.events.contains("out") && p.events.contains("err"))
    }

    @Test @ReactorActor func aNonZeroExitCodeIsReported() async throws {
        let p = RecordingProcess()
        _ = try Reactor.shared.spawnProcess(p, "sh", args: ["sh", "-c", "exit 3"])
        #expect(try await resultOf(p.ended) == .terminated(exitCode: 3, signal: nil))
    }

    @Test @ReactorActor func signalProcessKillsTheChildAndTheSignalIsTheReason() async throws {
        let p = RecordingProcess()
        let t = try Reactor.shared.spawnProcess(p, "/bin/sleep", args: ["sleep", "10"])
        try t.signalProcess(SIGTERM)
        #expect(try await resultOf(p.ended) == .terminated(exitCode: nil, signal: SIGTERM))
        #expect(throws: ConnectionError.self) { try t.signalProcess(SIGTERM) }
    }

    @Test @ReactorActor func stdinIsWrittenAndClosed() async throws {
        let p = RecordingProcess()
        let t = try Reactor.shared.spawnProcess(p, "/bin/cat", args: ["cat"])
        t.write("line one\n")
        t.write(ByteBuffer(bytes: [UInt8](repeating: 0x7a, count: 200_000)))
        t.closeStdin()
        #expect(try await resultOf(p.ended) == .done)
        #expect(p.out.readableBytes == 9 + 200_000)
        #expect(p.events.contains("in"))
    }

    @Test @ReactorActor func environmentAndWorkingDirectoryAreSettable() async throws {
        let p = RecordingProcess()
        _ = try Reactor.shared.spawnProcess(p, "/bin/sh", args: ["sh", "-c", "echo $GREETING; pwd"],
                                            env: ["GREETING": "bonjour", "PATH": "/usr/bin:/bin"], path: "/tmp")
        #expect(try await resultOf(p.ended) == .done)
        let tmp = URL(fileURLWithPath: "/tmp").resolvingSymlinksInPath().path
        #expect(String(buffer: p.out) == "bonjour\n\(tmp)\n")
    }

    @Test @ReactorActor func aMissingExecutableThrows() {
        #expect(throws: ConnectionError.self) { try Reactor.shared.spawnProcess(RecordingProcess(), "/no/such/program") }
    }
}
