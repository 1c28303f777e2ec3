import CTwisterShim
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        if fd >= 0 { SocketCalls.close(fd); fd = -1 }
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
        if fd >= 0 { reactor?.deregister(fd: fd); SocketCalls.close(fd); fd = -1 }
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
