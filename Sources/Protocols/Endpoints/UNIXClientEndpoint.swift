/// Connects to a UNIX socket file (Twisted's `UNIXClientEndpoint`).
@ReactorActor
public final class UNIXClientEndpoint: ClientEndpoint {
    public let reactor: any EndpointReactor
    public let path: String
    public let timeout: Double
    public init(reactor: any EndpointReactor, path: String, timeout: Double = 30) {
        self.reactor = reactor; self.path = path; self.timeout = timeout
    }
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        EndpointConnection.start(factory) { [reactor, path, timeout] f in reactor.connectUNIX(path, f, timeout: timeout) }
    }
}
