/// Connects over TCP to a host name or address (Twisted's `TCP4ClientEndpoint`/`HostnameEndpoint`).
@ReactorActor
public final class TCPClientEndpoint: ClientEndpoint {
    public let reactor: any EndpointReactor
    public let host: String
    public let port: Int
    public let timeout: Double
    public let bindAddress: Address?
    public init(reactor: any EndpointReactor, host: String, port: Int, timeout: Double = 30, bindAddress: Address? = nil) {
        self.reactor = reactor; self.host = host; self.port = port; self.timeout = timeout; self.bindAddress = bindAddress
    }
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        EndpointConnection.start(factory) { [reactor, host, port, timeout, bindAddress] f in
            reactor.connectTCP(host: host, port: port, factory: f, timeout: timeout, bindAddress: bindAddress)
        }
    }
}
