import TwisterProtocols
import TwisterHTTP

/// Sends cookies from a ``CookieJar`` and stores the ones responses set (Twisted's `CookieAgent`).
/// Put it under a ``RedirectAgent`` so each hop's cookies are stored and sent.
@ReactorActor
public final class CookieAgent: HTTPAgent {
    public let agent: any HTTPAgent
    public let jar: CookieJar

    public init(_ agent: any HTTPAgent, jar: CookieJar) {
        self.agent = agent
        self.jar = jar
    }

    public func request(_ method: String, _ url: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)?) -> Deferred<AgentResponse> {
        guard let u = try? ClientURL(url) else { return agent.request(method, url, headers: headers, bodyProducer: bodyProducer) }
        var h = headers
        if !h.contains("Cookie"), let c = jar.header(for: u) { h.add("Cookie", c) }
        return agent.request(method, url, headers: h, bodyProducer: bodyProducer).addCallback { r in
            self.jar.store(r.headers, from: u)
            return r
        }
    }
}
