import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bound UDP socket, the transport of a ``DatagramProtocol`` (Twisted's `udp.Port`, with multicast).
///
/// Writes are sent at once with `sendto` (datagrams are never queued: one that the kernel cannot take now, EAGAIN,
/// is dropped and `write` returns false, as UDP may drop anyway). Reads deliver each datagram to
/// `datagramReceived(_:from:)`, at most 32 per readiness event.
@ReactorActor
public final class UDPPort: IOHandler {
    let fd: Int32
    let reactor: Reactor
    public private(set) var host: Address
    public let maxPacketSize: Int
    private var proto: DatagramProtocol?
    private var listening = true
    /// The peer in connected mode.
    public private(set) var connectedPeer: Address?

    init(reactor: Reactor, address: Address, proto: DatagramProtocol, maxPacketSize: Int) throws(ConnectionError) {
        guard SocketAddress(address) != nil else { throw .socket("listenUDP: interface is not an IP address: \(address.host)") }
        self.reactor = reactor
        self.maxPacketSize = maxPacketSize
        self.proto = proto
        fd = try SocketCalls.make(family: SocketCalls.family(of: address), type: SocketCalls.datagramType)
        do throws(ConnectionError) {
            _ = SocketCalls.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            try SocketCalls.bind(fd, address)
            host = SocketCalls.localAddress(fd) ?? address
            try reactor.register(fd: fd, interest: .read, handler: self)
        } catch {
            SocketCalls.close(fd)
            throw error
        }
    }

    /// Sends `data` to `address` (an IP literal). Returns false when the datagram could not be sent.
    @discardableResult
    public func write(_ data: ByteBuffer, to address: Address) -> Bool {
        guard listening, let sa = SocketAddress(address) else { return false }
        let n = data.withUnsafeReadableBytes { buf in
            sa.withSockaddr { sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL), $0, $1) }
        }
        return n >= 0
    }

    /// Connected mode: sends `data` to the connected peer.
    @discardableResult
    public func write(_ data: ByteBuffer) -> Bool {
        guard listening, connectedPeer != nil else { return false }
        let n = data.withUnsafeReadableBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 && twister_errno() == ECONNREFUSED { proto?.connectionRefused() }
        return n >= 0
    }

    /// Restricts the port to one peer (Twisted's `connect(host, port)`): only its datagrams arrive, `write(_:)`
    /// sends to it, and ICMP errors from it call `connectionRefused()`.
    public func connect(to peer: Address) throws(ConnectionError) {
        guard let sa = SocketAddress(peer) else { throw .socket("connect: not an IP address: \(peer)") }
        if sa.withSockaddr({ SystemCalls.connect(fd, $0, $1) }) != 0 { throw .socket(errnoDescription("connect(\(peer))")) }
        connectedPeer = peer
        host = SocketCalls.localAddress(fd) ?? host
    }

    /// Joins the IPv4 multicast `group` on `interface` (an address; "" or "0.0.0.0" = any).
    public func joinGroup(_ group: String, interface: String = "") throws(ConnectionError) {
        try membership(IP_ADD_MEMBERSHIP, group, interface)
    }

    /// Leaves a group joined with ``joinGroup(_:interface:)``.
    public func leaveGroup(_ group: String, interface: String = "") throws(ConnectionError) {
        try membership(IP_DROP_MEMBERSHIP, group, interface)
    }

    private func membership(_ op: Int32, _ group: String, _ interface: String) throws(ConnectionError) {
        var mreq = ip_mreq()
        guard inet_pton(AF_INET, group, &mreq.imr_multiaddr) == 1 else { throw .socket("not an IPv4 group: \(group)") }
        guard inet_pton(AF_INET, interface.isEmpty ? "0.0.0.0" : interface, &mreq.imr_interface) == 1 else {
            throw .socket("not an IPv4 interface: \(interface)")
        }
        if setsockopt(fd, Int32(IPPROTO_IP), op, &mreq, socklen_t(MemoryLayout<ip_mreq>.size)) != 0 {
            throw .socket(errnoDescription(op == IP_ADD_MEMBERSHIP ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP"))
        }
    }

    /// Whether this host receives its own multicast datagrams.
    public var loopbackMode: Bool {
        get { SocketCalls.getOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_LOOP) != 0 }
        set { _ = SocketCalls.setOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, newValue ? 1 : 0) }
    }

    /// The multicast time-to-live.
    public var ttl: Int {
        get { Int(SocketCalls.getOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_TTL)) }
        set { _ = SocketCalls.setOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_TTL, Int32(newValue)) }
    }

    /// Closes the socket and calls the protocol's `stopProtocol()`.
    @discardableResult
    public func stopListening() -> Deferred<Void> {
        if listening {
            listening = false
            reactor.deregister(fd: fd)
            SocketCalls.close(fd)
            let p = proto
            proto = nil
            p?.stopProtocol()
        }
        return Deferred.succeed(())
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) {
        guard listening else { return }
        let scratch = reactor.readScratch
        let cap = min(maxPacketSize, scratch.count)
        for _ in 0..<32 {
            var sa = SocketAddress()
            let n = sa.withMutableSockaddr { recvfrom(fd, scratch.baseAddress, cap, 0, $0, $1) }
            if n < 0 {
                let err = twister_errno()
                if err == EINTR { continue }
                if err == ECONNREFUSED { proto?.connectionRefused(); continue }
                return
            }
            let data = ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
            proto?.datagramReceived(data, from: sa.address ?? host)
            if !listening { return }
        }
    }
}
