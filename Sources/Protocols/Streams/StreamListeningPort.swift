import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening TCP or UNIX stream socket (Twisted's `tcp.Port`, `unix.Port`).
///
/// Each accepted connection gets a protocol from the factory (`buildProtocol(peer)`; nil closes the connection at
/// once) and a ``StreamTransport``. The factory's `doStart` runs when listening starts and `doStop` when it stops.
///
/// Descriptor exhaustion (EMFILE/ENFILE): the port keeps one spare descriptor; when accept fails for lack of
/// descriptors it frees the spare, accepts and closes the pending connection (the client sees it closed), and
/// takes the spare back, so the backlog drains and the loop does not spin. If even the spare cannot be taken back,
/// accepting pauses for 100 ms. Serving resumes by itself as soon as descriptors are free again.
@ReactorActor
public final class StreamListeningPort: ListeningPort, IOHandler {
    let fd: Int32
    let reactor: Reactor
    let factory: Factory
    public let host: Address
    private var listening = true
    private var unixPath: String?
    private var backoff: (any DelayedCall)?
    /// Connections refused because descriptors ran out (for tests and monitoring).
    public private(set) var droppedForExhaustion = 0

    /// Most connections accepted per readiness event, so one busy port cannot starve the others.
    static let acceptsPerEvent = 64

    init(fd: Int32, reactor: Reactor, factory: Factory, host: Address, unixPath: String?) throws(ConnectionError) {
        self.fd = fd
        self.reactor = reactor
        self.factory = factory
        self.host = host
        self.unixPath = unixPath
        try reactor.register(fd: fd, interest: .read, handler: self)
        SpareDescriptor.ensure()
        factory.doStart()
    }

    /// Binds and listens on `address` (port 0: an ephemeral port; `host` then reports the real one).
    static func listen(reactor: Reactor, address: Address, factory: Factory, backlog: Int, reusePort: Bool,
                       mode: Int? = nil) throws(ConnectionError) -> StreamListeningPort {
        let fd = try SocketCalls.make(family: SocketCalls.family(of: address), type: SocketCalls.streamType)
        var unixPath: String?
        do throws(ConnectionError) {
            switch address {
            case .unix(let path):
                // A stale socket file from an earlier run would make bind fail: remove it if nobody listens.
                if access(path, F_OK) == 0 && !SocketCalls.isUNIXSocketLive(path) { unlink(path) }
                unixPath = path
            case .ipv6:
                _ = SocketCalls.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            case .ipv4:
                _ = SocketCalls.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            }
            if reusePort && !SocketCalls.setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) {
                throw ConnectionError.socket(errnoDescription("setsockopt(SO_REUSEPORT)"))
            }
            try SocketCalls.bind(fd, address)
            if let path = unixPath, let mode { chmod(path, mode_t(mode)) }
            if SystemCalls.listen(fd, Int32(backlog)) != 0 { throw ConnectionError.socket(errnoDescription("listen")) }
            let host = SocketCalls.localAddress(fd) ?? address
            return try StreamListeningPort(fd: fd, reactor: reactor, factory: factory, host: host, unixPath: unixPath)
        } catch {
            SocketCalls.close(fd)
            throw error
        }
    }

    public func stopListening() -> Deferred<Void> {
        if listening {
            listening = false
            backoff?.cancel()
            reactor.deregister(fd: fd)
            SocketCalls.close(fd)
            if let p = unixPath { unlink(p) }
            factory.doStop()
        }
        return Deferred.succeed(())
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) {
        guard listening, readable else { return }
        for _ in 0..<Self.acceptsPerEvent {
            var sa = SocketAddress()
            let c = sa.withMutableSockaddr { twister_accept(fd, $0, $1) }
            if c < 0 {
                let err = twister_errno()
                switch err {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    if !shedOneConnection() { return }
                    continue
                default:
                    return // EAGAIN, or an error the next event will show again
                }
            }
            let peer = sa.address ?? host
            let local = SocketCalls.localAddress(c) ?? host
            guard let proto = factory.buildProtocol(peer) else {
                SocketCalls.close(c)
                continue
            }
            let t = StreamTransport(fd: c, reactor: reactor, peer: peer, host: local)
            t.start(proto)
        }
    }

    /// Out of descriptors: use the spare to accept and close one pending connection. Returns false when accepting
    /// is paused (no spare), so the caller stops for this event.
    private func shedOneConnection() -> Bool {
        if SpareDescriptor.release() {
            let c = twister_accept(fd, nil, nil)
            if c >= 0 { SocketCalls.close(c); droppedForExhaustion += 1 }
            SpareDescriptor.ensure()
            if c >= 0 && SpareDescriptor.available { return true }
        }
        // No spare: stop accepting for a while instead of spinning on a readable listening socket.
        reactor.setInterest(fd: fd, [])
        backoff = reactor.callLater(0.1) { [weak self] in
            guard let self, self.listening else { return }
            self.backoff = nil
            SpareDescriptor.ensure()
            self.reactor.setInterest(fd: self.fd, .read)
        }
        return false
    }
}
