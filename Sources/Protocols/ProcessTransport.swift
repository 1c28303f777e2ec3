import CTwisterShim
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Spawning child processes (Twisted's `IReactorProcess`).
@ReactorActor
public protocol ReactorProcess: AnyObject {
    /// Starts `executable` (a path, or a name looked up in `PATH`) with `args` (args[0] is the program name, as
    /// in Twisted), environment `env` (nil: inherit ours) and working directory `path` (nil: ours). Throws a
    /// ``ConnectionError/socket(_:)`` when the process cannot be started.
    func spawnProcess(_ proto: ProcessProtocol, _ executable: String, args: [String], env: [String: String]?,
                      path: String?) throws -> ProcessTransport
}

extension ReactorProcess {
    public func spawnProcess(_ proto: ProcessProtocol, _ executable: String, args: [String] = [],
                             env: [String: String]? = nil, path: String? = nil) throws -> ProcessTransport {
        try spawnProcess(proto, executable, args: args.isEmpty ? [executable] : args, env: env, path: path)
    }
}

extension Reactor: ReactorProcess {
    public func spawnProcess(_ proto: ProcessProtocol, _ executable: String, args: [String], env: [String: String]?,
                             path: String?) throws -> ProcessTransport {
        let t = try ProcessTransport.spawn(reactor: self, executable: executable, args: args, env: env, cwd: path)
        t.start(proto)
        return t
    }
}

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
            for fd in inPipe + outPipe + errPipe where fd >= 0 { Socket.close(fd) }
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
        Socket.close(inPipe[0]); Socket.close(outPipe[1]); Socket.close(errPipe[1])
        if pid < 0 {
            Socket.close(inPipe[1]); Socket.close(outPipe[0]); Socket.close(errPipe[0])
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

/// Calls `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { for p in ptrs { free(p) } }
    return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// The read end of a child's stdout or stderr.
@ReactorActor
final class PipeReader: IOHandler {
    let fd: Int32
    weak var owner: ProcessTransport?
    let isErr: Bool
    private var open = true
    private var reactor: Reactor?

    init(fd: Int32, owner: ProcessTransport, isErr: Bool) {
        self.fd = fd; self.owner = owner; self.isErr = isErr
    }

    func register(_ reactor: Reactor) {
        self.reactor = reactor
        do { try reactor.register(fd: fd, interest: .read, handler: self) } catch { close() }
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) {
        guard open, let reactor else { return }
        let scratch = reactor.readScratch
        let n = read(fd, scratch.baseAddress, scratch.count)
        if n > 0 {
            owner?.received(ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: scratch[0..<n])), isErr: isErr)
        } else if n == 0 || (twister_errno() != EAGAIN && twister_errno() != EINTR) {
            close()
        }
    }

    func close() {
        guard open else { return }
        open = false
        reactor?.deregister(fd: fd)
        Socket.close(fd)
        owner?.pipeClosed(isErr ? 2 : 1)
    }
}

/// The write end of a child's stdin, with a queue.
@ReactorActor
final class PipeWriter: IOHandler {
    let fd: Int32
    weak var owner: ProcessTransport?
    private var queue = ByteBuffer()
    private var open = true
    private var closing = false
    private var reactor: Reactor?

    init(fd: Int32, owner: ProcessTransport) { self.fd = fd; self.owner = owner }

    func register(_ reactor: Reactor) {
        self.reactor = reactor
        do { try reactor.register(fd: fd, interest: [], handler: self) } catch { close() }
    }

    func write(_ data: ByteBuffer) {
        guard open, !closing else { return }
        queue.writeBuffer(data)
        flush()
    }

    func loseConnection() {
        guard open else { return }
        closing = true
        flush()
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) {
        if hangup && !writable { close(); return }
        flush()
    }

    private func flush() {
        while !queue.isEmpty {
            let n = queue.withUnsafeReadableBytes { Glibc_write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let err = twister_errno()
                if err == EINTR { continue }
                if err == EAGAIN { reactor?.setInterest(fd: fd, .write); return }
                close()
                return
            }
            queue.moveReaderIndex(forwardBy: n)
        }
        reactor?.setInterest(fd: fd, [])
        if closing { close() }
    }

    func close() {
        guard open else { return }
        open = false
        reactor?.deregister(fd: fd)
        Socket.close(fd)
        owner?.pipeClosed(0)
    }
}

/// Watches for the child's exit through a pidfd (readable once the child exits), then reaps it.
@ReactorActor
final class ExitWatcher: IOHandler {
    let pid: Int32
    weak var owner: ProcessTransport?
    private var fd: Int32 = -1
    private var reactor: Reactor?
    private var poll: (any DelayedCall)?

    init(pid: Int32, owner: ProcessTransport) { self.pid = pid; self.owner = owner }

    func start(_ reactor: Reactor) {
        self.reactor = reactor
        #if os(Linux)
        fd = twister_pidfd_open(pid)
        #endif
        if fd >= 0, (try? reactor.register(fd: fd, interest: .read, handler: self)) != nil { return }
        if fd >= 0 { Socket.close(fd); fd = -1 }
        schedulePoll()   // no pidfd: poll waitpid every 10 ms
    }

    private func schedulePoll() {
        poll = reactor?.callLater(0.01) { [weak self] in
            guard let self else { return }
            if !self.reap() { self.schedulePoll() }
        }
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) { _ = reap() }

    /// Returns true once the child was reaped.
    private func reap() -> Bool {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid || (r < 0 && twister_errno() == ECHILD) else { return false }
        if fd >= 0 { reactor?.deregister(fd: fd); Socket.close(fd); fd = -1 }
        let end: ProcessEnd
        if r < 0 {
            end = .terminated(exitCode: nil, signal: nil)
        } else if status & 0x7f == 0 {
            let code = (status >> 8) & 0xff
            end = code == 0 ? .done : .terminated(exitCode: code, signal: nil)
        } else {
            end = .terminated(exitCode: nil, signal: status & 0x7f)
        }
        owner?.exited(end)
        return true
    }
}
