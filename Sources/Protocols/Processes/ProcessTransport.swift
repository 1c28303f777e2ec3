import CTwisterShim
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running child process with pipes on the loop (Twisted's `Process`).
///
/// `write` queues bytes for the child's stdin (sent as the pipe accepts them), `closeStdin()` closes it after
/// the queue drains, `signalProcess` sends a signal, `loseConnection()` closes every pipe. Exit is detected
/// with a pidfd on the loop (no SIGCHLD handler, no polling thread); the child is reaped with `waitpid`.
@ReactorActor
public final class ProcessTransport {
    public let pid: Int32
    let reactor: Reactor
    private var proto: ProcessProtocol?
    private var stdin: PipeWriter?
    private var stdout: PipeReader?
    private var stderr: PipeReader?
    private var exitWatcher: ExitWatcher?
    /// The end reason once the child has exited.
    public private(set) var status: ProcessEnd?
    private var ended = false

    init(pid: Int32, reactor: Reactor) {
        self.pid = pid
        self.reactor = reactor
    }

    static func spawn(reactor: Reactor, executable: String, args: [String], env: [String: String]?,
                      cwd: String?) throws(ConnectionError) -> ProcessTransport {
        guard let exe = resolveExecutable(executable, env: env) else {
            throw .socket("spawnProcess: executable not found: \(executable)")
        }
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard twister_pipe(&inPipe) == 0, twister_pipe(&outPipe) == 0, twister_pipe(&errPipe) == 0 else {
            for fd in inPipe + outPipe + errPipe where fd >= 0 { SocketCalls.close(fd) }
            throw .socket(errnoDescription("pipe"))
        }
        // The child's ends must block (children expect ordinary blocking stdio).
        _ = twister_set_nonblocking(inPipe[0], 0)
        _ = twister_set_nonblocking(outPipe[1], 0)
        _ = twister_set_nonblocking(errPipe[1], 0)
        let environment = env ?? ProcessInfo.processInfo.environment
        let envStrings = environment.map { "\($0.key)=\($0.value)" }
        let pid = withCStrings(args) { argv in
            withCStrings(envStrings) { envp in
                twister_spawn(exe, argv, envp, cwd, inPipe[0], outPipe[1], errPipe[1])
            }
        }
        SocketCalls.close(inPipe[0]); SocketCalls.close(outPipe[1]); SocketCalls.close(errPipe[1])
        if pid < 0 {
            SocketCalls.close(inPipe[1]); SocketCalls.close(outPipe[0]); SocketCalls.close(errPipe[0])
            throw .socket(errnoDescription("fork", -pid))
        }
        let t = ProcessTransport(pid: pid, reactor: reactor)
        t.stdin = PipeWriter(fd: inPipe[1], owner: t)
        t.stdout = PipeReader(fd: outPipe[0], owner: t, isErr: false)
        t.stderr = PipeReader(fd: errPipe[0], owner: t, isErr: true)
        return t
    }

    func start(_ proto: ProcessProtocol) {
        self.proto = proto
        for r in [stdout, stderr] { r?.register(reactor) }
        stdin?.register(reactor)
        exitWatcher = ExitWatcher(pid: pid, owner: self)
        exitWatcher?.start(reactor)
        proto.makeConnection(self)
    }

    /// Queues `data` for the child's stdin.
    public func write(_ data: ByteBuffer) { stdin?.write(data) }
    public func write(_ string: String) { write(ByteBuffer(string: string)) }

    /// Closes the child's stdin once queued bytes are written (Twisted's `closeStdin`).
    public func closeStdin() { stdin?.loseConnection() }

    /// Closes every pipe (Twisted's `loseConnection`); the process itself is not signalled.
    public func loseConnection() {
        closeStdin()
        stdout?.close()
        stderr?.close()
    }

    /// Sends `signal` (e.g. SIGTERM, SIGKILL) to the child. Throws once it has been reaped.
    public func signalProcess(_ signal: Int32) throws(ConnectionError) {
        guard status == nil else { throw .socket("signalProcess: process \(pid) has already exited") }
        if kill(pid, signal) != 0 { throw .socket(errnoDescription("kill")) }
    }

    // MARK: events from the pipes and the exit watcher

    func received(_ data: ByteBuffer, isErr: Bool) {
        if isErr { proto?.errReceived(data) } else { proto?.outReceived(data) }
    }

    func pipeClosed(_ which: Int) {
        switch which {
        case 0: stdin = nil; proto?.inConnectionLost()
        case 1: stdout = nil; proto?.outConnectionLost()
        default: stderr = nil; proto?.errConnectionLost()
        }
        maybeEnded()
    }

    func exited(_ end: ProcessEnd) {
        guard status == nil else { return }
        status = end
        exitWatcher = nil
        proto?.processExited(Failure(end))
        maybeEnded()
    }

    private func maybeEnded() {
        guard !ended, let status, stdout == nil, stderr == nil else { return }
        // Twisted closes stdin when the process ends.
        stdin?.close()
        stdin = nil
        ended = true
        let p = proto
        proto = nil
        p?.processEnded(Failure(status))
    }

    static func resolveExecutable(_ name: String, env: [String: String]?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = env?["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
