import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An outgoing TCP or UNIX connection attempt and, once made, its connection (Twisted's `tcp.Connector`).
///
/// `connect()` (called by `connectTCP`/`connectUNIX`, and again by the factory to retry) calls the factory's
/// `startedConnecting`, resolves the host name on the thread pool if it is not an IP literal, and connects without
/// blocking. On success the factory builds the protocol (`buildProtocol(peer)`) and it gets `makeConnection`.
/// On failure the factory gets `clientConnectionFailed` with `.refused`, `.timedOut`, `.dnsLookupFailed`,
/// `.aborted` (``stopConnecting()``) or `.socket`; when an established connection ends it gets
/// `clientConnectionLost`. The factory's `doStart`/`doStop` bracket each attempt and connection.
@ReactorActor
public final class StreamConnector: Connector, IOHandler {
    public enum State: Sendable { case disconnected, connecting, connected }
    enum Target { case tcp(host: String, port: Int), unix(path: String) }

    public private(set) var state = State.disconnected
    let reactor: Reactor
    let factory: ClientFactory
    let target: Target
    let timeout: Double
    let bindAddress: Address?
    private var fd: Int32 = -1
    private var registered = false
    private var timer: (any DelayedCall)?
    private var attempt = 0
    /// Resolved addresses not tried yet (a refused address falls through to the next one).
    private var candidates: [Address] = []
    /// The transport while connected.
    public private(set) var transport: StreamTransport?

    init(reactor: Reactor, target: Target, factory: ClientFactory, timeout: Double, bindAddress: Address?) {
        self.reactor = reactor
        self.target = target
        self.factory = factory
        self.timeout = timeout
        self.bindAddress = bindAddress
    }

    public var destination: Address {
        switch target {
        case .tcp(let host, let port):
            if let lit = SocketCalls.isIPLiteral(host) { return lit.with(port: port) }
            return .ipv4(host: host, port: port)
        case .unix(let path): return .unix(path: path)
        }
    }

    public func connect() {
        guard state == .disconnected else { return }
        state = .connecting
        candidates = []
        attempt += 1
        let mine = attempt
        factory.doStart()
        factory.startedConnecting(self)
        guard state == .connecting, attempt == mine else { return }
        if timeout > 0 {
            // Strong captures: an attempt in progress (and a live connection) keeps its connector alive, as the
            // reactor does in Twisted, even when the caller drops the returned connector.
            timer = reactor.callLater(timeout) { [self] in
                guard self.state == .connecting, self.attempt == mine else { return }
                self.timer = nil
                self.fail(.timedOut)
            }
        }
        switch target {
        case .unix(let path):
            begin(.unix(path: path))
        case .tcp(let host, let port):
            if let lit = SocketCalls.isIPLiteral(host) {
                begin(lit.with(port: port))
            } else {
                _ = reactor.resolve(host).addBoth { [self] (r: Result<[Address], Failure>) -> Void in
                    guard self.state == .connecting, self.attempt == mine else { return }
                    switch r {
                    case .success(let addrs):
                        self.candidates = addrs.dropFirst().map { $0.with(port: port) }
                        self.begin(addrs[0].with(port: port))
                    case .failure(let f): self.fail(f.error as? ConnectionError ?? .dnsLookupFailed(host))
                    }
                }
            }
        }
    }

    private func begin(_ address: Address) {
        do {
            fd = try SocketCalls.make(family: SocketCalls.family(of: address), type: SocketCalls.streamType)
            if let bindAddress { try SocketCalls.bind(fd, bindAddress) }
        } catch {
            fail(error)
            return
        }
        guard let sa = SocketAddress(address) else { fail(.socket("connect: bad address \(address)")); return }
        let rc = sa.withSockaddr { SystemCalls.connect(fd, $0, $1) }
        if rc == 0 { connected(); return }
        let err = twister_errno()
        guard err == EINPROGRESS || err == EAGAIN || err == EINTR else {
            fail(SocketCalls.connectionError(err, "connect"))
            return
        }
        do {
            try reactor.register(fd: fd, interest: .write, handler: self)
            registered = true
        } catch {
            fail(error)
        }
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) {
        guard state == .connecting, fd >= 0 else { return }
        let err = SocketCalls.getOption(fd, SOL_SOCKET, SO_ERROR)
        if err != 0 {
            if !candidates.isEmpty {
                // Try the next resolved address (e.g. "localhost" resolving to ::1 and then 127.0.0.1).
                if registered { reactor.deregister(fd: fd); registered = false }
                SocketCalls.close(fd)
                fd = -1
                begin(candidates.removeFirst())
                return
            }
            fail(SocketCalls.connectionError(err, "connect"))
            return
        }
        if writable { connected() }
    }

    private func connected() {
        timer?.cancel(); timer = nil
        if registered { reactor.deregister(fd: fd); registered = false }
        let s = fd
        fd = -1
        let host = SocketCalls.localAddress(s) ?? destination
        let peer = SocketCalls.peerAddress(s) ?? destination
        guard let proto = factory.buildProtocol(peer) else {
            SocketCalls.close(s)
            state = .disconnected
            factory.clientConnectionFailed(self, reason: Failure(ConnectionError.aborted))
            factory.doStop()
            return
        }
        state = .connected
        let t = StreamTransport(fd: s, reactor: reactor, peer: peer, host: host)
        transport = t
        t.onLost = { [self] reason in
            self.transport = nil
            self.state = .disconnected
            self.factory.clientConnectionLost(self, reason: Failure(reason))
            self.factory.doStop()
        }
        t.start(proto)
    }

    private func fail(_ reason: ConnectionError) {
        timer?.cancel(); timer = nil
        if fd >= 0 {
            if registered { reactor.deregister(fd: fd); registered = false }
            SocketCalls.close(fd)
            fd = -1
        }
        state = .disconnected
        factory.clientConnectionFailed(self, reason: Failure(reason))
        factory.doStop()
    }

    public func stopConnecting() {
        guard state == .connecting else { return }
        fail(.aborted)
    }

    public func disconnect() {
        switch state {
        case .connected: transport?.loseConnection()
        case .connecting: stopConnecting()
        case .disconnected: break
        }
    }
}
