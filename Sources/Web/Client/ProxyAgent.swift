import TwisterProtocols
import TwisterHTTP

/// An agent that sends every request through a forward HTTP proxy (Twisted's `ProxyAgent`): the request target
/// is the absolute URL, the connection goes to the proxy, and the pool keys connections by the proxy.
/// No CONNECT tunnelling (so no https through the proxy).
@ReactorActor
public final class ProxyAgent: HTTPAgent {
    public let agent: Agent

    /// `proxyURL` is the proxy's own URL, e.g. `http://127.0.0.1:3128`.
    public init(proxyURL: String, connector: any AgentConnector, pool: HTTPConnectionPool) throws {
        let u = try ClientURL(proxyURL)
        agent = Agent(connector: connector, pool: pool)
        agent.proxy = ConnectionKey(u)
    }

    public func request(_ method: String, _ url: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)?) -> Deferred<AgentResponse> {
        agent.request(method, url, headers: headers, bodyProducer: bodyProducer)
    }
}
