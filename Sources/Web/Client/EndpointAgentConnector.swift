import TwisterProtocols
import TwisterHTTP

/// Opens Agent connections through client endpoint strings on a reactor (Twisted's `Agent.usingEndpointFactory`
/// with `clientFromString`): `tcp:host=H:port=P:timeout=T` for http URLs, `unix:PATH:timeout=T` for
/// `http+unix` URLs. An `endpointOverride` (e.g. `unix:/var/run/docker.sock`) sends every connection there.
///
/// Contract: see ``AgentConnector``.
@ReactorActor
public final class EndpointAgentConnector: AgentConnector {
    public let reactor: any EndpointReactor
    /// When set, every connection goes to this endpoint whatever the URL says.
    public var endpointOverride: String?

    public init(reactor: any EndpointReactor, endpointOverride: String? = nil) {
        self.reactor = reactor
        self.endpointOverride = endpointOverride
    }

    public func connect(_ key: ConnectionKey, _ proto: Protocol, timeout: Double?) -> Deferred<Void> {
        var description = endpointOverride ?? key.endpointDescription
        if let timeout, !description.contains("timeout=") { description += ":timeout=\(timeout)" }
        do {
            let endpoint = try clientFromString(reactor, description)
            return connectProtocol(endpoint, proto).addCallback { (_: Protocol) -> Void in () }
        } catch {
            return Deferred.fail(error)
        }
    }
}

extension HTTPClient {
    /// A client on the shared reactor: its connections go through ``EndpointAgentConnector``, its timers run
    /// on the reactor.
    public convenience init(reactor: Reactor = .shared, pool: HTTPConnectionPool? = nil) {
        self.init(connector: EndpointAgentConnector(reactor: reactor), clock: reactor, pool: pool)
    }
}

extension Agent {
    /// An Agent on the shared reactor with a persistent pool.
    public convenience init(reactor: Reactor = .shared, persistent: Bool = true) {
        self.init(connector: EndpointAgentConnector(reactor: reactor), pool: HTTPConnectionPool(clock: reactor, persistent: persistent))
    }
}
