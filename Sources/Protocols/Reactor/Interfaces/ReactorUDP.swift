/// Listening for datagrams (Twisted's `IReactorUDP`).
@ReactorActor
public protocol ReactorUDP: AnyObject {
    /// Binds UDP `port` (0: ephemeral) on `interface` ("" = all IPv4; an IPv6 literal for IPv6) and connects
    /// `proto`. Datagrams longer than `maxPacketSize` are truncated.
    func listenUDP(_ port: Int, _ proto: DatagramProtocol, interface: String, maxPacketSize: Int) throws -> UDPPort
}

extension ReactorUDP {
    public func listenUDP(_ port: Int, _ proto: DatagramProtocol, interface: String = "") throws -> UDPPort {
        try listenUDP(port, proto, interface: interface, maxPacketSize: 8192)
    }
}

extension Reactor: ReactorUDP {
    public func listenUDP(_ port: Int, _ proto: DatagramProtocol, interface: String, maxPacketSize: Int) throws -> UDPPort {
        let address: Address = interface.contains(":") ? .ipv6(host: interface, port: port)
            : .ipv4(host: interface.isEmpty ? "0.0.0.0" : interface, port: port)
        let p = try UDPPort(reactor: self, address: address, proto: proto, maxPacketSize: maxPacketSize)
        proto.makeConnection(p)
        return p
    }
}
