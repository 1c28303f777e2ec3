/// Listens on TCP over IPv4 or IPv6 (Twisted's `TCP4ServerEndpoint`/`TCP6ServerEndpoint`).
@ReactorActor
public final class TCPServerEndpoint: ServerEndpoint {
    public let reactor: any EndpointReactor
    public let port: Int
    public let interface: String
    public let backlog: Int
    public let reusePort: Bool
    public init(reactor: any EndpointReactor, port: Int, interface: String = "", backlog: Int = 50, reusePort: Bool = false) {
        self.reactor = reactor; self.port = port; self.interface = interface; self.backlog = backlog; self.reusePort = reusePort
    }
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        do { return Deferred.succeed(try reactor.listenTCP(port, factory, backlog: backlog, interface: interface, reusePort: reusePort)) }
        catch { return Deferred.fail(error) }
    }
}
