/// Listening and connecting over TCP (Twisted's `IReactorTCP`). ``Reactor`` implements it with real sockets;
/// `MemoryReactor` (TwisterTesting) records the calls. Write code against this protocol to test it without sockets.
@ReactorActor
public protocol ReactorTCP: AnyObject {
    /// Listens on `port` (0: ephemeral) on `interface` ("" = every IPv4 address; an IPv6 literal such as "::"
    /// listens on IPv6). Throws ``ConnectionError/socket(_:)`` when the port cannot be bound.
    func listenTCP(_ port: Int, _ factory: Factory, backlog: Int, interface: String, reusePort: Bool) throws -> any ListeningPort
    /// Starts connecting to `host:port` (a name is resolved on the thread pool). The factory hears the outcome.
    func connectTCP(host: String, port: Int, factory: ClientFactory, timeout: Double, bindAddress: Address?) -> any Connector
}

extension ReactorTCP {
    /// ``listenTCP(_:_:backlog:interface:reusePort:)`` with Twisted's defaults (backlog 50, all IPv4 interfaces).
    public func listenTCP(_ port: Int, _ factory: Factory, backlog: Int = 50, interface: String = "") throws -> any ListeningPort {
        try listenTCP(port, factory, backlog: backlog, interface: interface, reusePort: false)
    }
    /// ``connectTCP(host:port:factory:timeout:bindAddress:)`` with Twisted's 30 s timeout.
    public func connectTCP(host: String, port: Int, factory: ClientFactory, timeout: Double = 30) -> any Connector {
        connectTCP(host: host, port: port, factory: factory, timeout: timeout, bindAddress: nil)
    }
}

extension Reactor: ReactorTCP {
    public func listenTCP(_ port: Int, _ factory: Factory, backlog: Int, interface: String, reusePort: Bool) throws -> any ListeningPort {
        let address: Address = interface.contains(":") ? .ipv6(host: interface, port: port) : .ipv4(host: interface.isEmpty ? "0.0.0.0" : interface, port: port)
        guard SocketAddress(address) != nil else { throw ConnectionError.socket("listenTCP: interface is not an IP address: \(interface)") }
        return try StreamListeningPort.listen(reactor: self, address: address, factory: factory, backlog: backlog, reusePort: reusePort)
    }

    public func connectTCP(host: String, port: Int, factory: ClientFactory, timeout: Double, bindAddress: Address?) -> any Connector {
        let c = StreamConnector(reactor: self, target: .tcp(host: host, port: port), factory: factory, timeout: timeout, bindAddress: bindAddress)
        c.connect()
        return c
    }
}
