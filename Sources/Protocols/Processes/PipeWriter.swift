import CTwisterShim
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        queue.writeImmutableBuffer(data)
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
            let n = queue.withUnsafeReadableBytes { SystemCalls.write(fd, $0.baseAddress, $0.count) }
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
        SocketCalls.close(fd)
        owner?.pipeClosed(0)
    }
}
