import CTwisterShim
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        SocketCalls.close(fd)
        owner?.pipeClosed(isErr ? 2 : 1)
    }
}
