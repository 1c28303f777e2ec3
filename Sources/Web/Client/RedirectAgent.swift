import TwisterProtocols
import TwisterHTTP

/// Follows redirects on top of another agent (Twisted's `RedirectAgent`).
///
/// Contract:
/// - 307 and 308 are followed with the same method and the same body, for any method (as browsers do; Twisted
///   refuses them for methods other than GET/HEAD). The body is sent again from a fresh producer, so the request's
///   producer must be a ``RewindableBodyProducer`` (``BytesBodyProducer`` is); otherwise the redirect fails with
///   ``RedirectError`` (`.bodyNotReplayable`).
/// - 301 and 302 are followed with the same method for GET and HEAD; for another method they fail with
///   ``RedirectError`` (`.methodNotRedirectable`). 303 is followed as a GET (HEAD stays HEAD) without a body, and
///   without the Content-Type, Content-Length and Transfer-Encoding of the original request.
/// - The Location is resolved against the request URL. A redirect without Location, to an unusable URL, or past
///   `redirectLimit` hops fails with ``RedirectError`` carrying the redirect response.
/// - A hop to another origin drops Authorization, Cookie, Proxy-Authorization and WWW-Authenticate.
/// - The redirect response's body is read and discarded (so its connection can be reused); the final response
///   has `previousResponse` set to the redirect that led to it.
@ReactorActor
public class RedirectAgent: HTTPAgent {
    public let agent: any HTTPAgent
    public let redirectLimit: Int
    /// What to do with a response.
    enum Follow {
        /// Not a redirect: the response is the result.
        case no
        /// A redirect this agent does not follow for this method.
        case refuse
        /// Follow with the request's method and body.
        case sameMethodAndBody
        /// Follow as a GET without a body.
        case asGet
    }

    /// What to do with a `code` answer to `method`.
    func follow(_ code: Int, _ method: String) -> Follow {
        switch code {
        case 307, 308: return .sameMethodAndBody
        case 301, 302: return method == "GET" || method == "HEAD" ? .sameMethodAndBody : .refuse
        case 303: return method == "HEAD" ? .sameMethodAndBody : .asGet
        default: return .no
        }
    }

    public init(_ agent: any HTTPAgent, redirectLimit: Int = 20) {
        self.agent = agent
        self.redirectLimit = redirectLimit
    }

    static let crossOriginSensitive = ["Authorization", "Cookie", "Proxy-Authorization", "WWW-Authenticate"]

    public func request(_ method: String, _ url: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)?) -> Deferred<AgentResponse> {
        send(method, url, headers, bodyProducer, count: 0)
    }

    private func send(_ method: String, _ url: String, _ headers: HTTPHeaders, _ body: (any BodyProducer)?, count: Int) -> Deferred<AgentResponse> {
        agent.request(method, url, headers: headers, bodyProducer: body).addDeferredCallback { r in
            try self.handle(r, method, url, headers, body, count)
        }
    }

    private func handle(_ r: AgentResponse, _ method: String, _ url: String, _ headers: HTTPHeaders,
                        _ body: (any BodyProducer)?, _ count: Int) throws -> Deferred<AgentResponse> {
        let how = follow(r.code, method)
        switch how {
        case .no: return Deferred.succeed(r)
        case .refuse:
            throw RedirectError(kind: .methodNotRedirectable(method: method, code: r.code), location: r.headers["Location"], response: r)
        case .sameMethodAndBody, .asGet: break
        }
        guard let location = r.headers["Location"], !location.isEmpty else {
            throw RedirectError(kind: .noLocation, location: nil, response: r)
        }
        guard count + 1 <= redirectLimit else {
            throw RedirectError(kind: .tooManyRedirects(limit: redirectLimit), location: location, response: r)
        }
        let base = try ClientURL(url)
        let next: ClientURL
        do { next = try base.resolve(location) } catch {
            throw RedirectError(kind: .badLocation(location), location: location, response: r)
        }
        var h = headers
        h.remove("Host")
        if !next.sameOrigin(base) { for name in Self.crossOriginSensitive { h.remove(name) } }
        var nextMethod = method
        var nextBody: (any BodyProducer)?
        switch how {
        case .no, .refuse: return Deferred.succeed(r)  // handled above
        case .asGet:
            nextMethod = "GET"
            h.remove("Content-Type")
            h.remove("Content-Length")
            h.remove("Transfer-Encoding")
        case .sameMethodAndBody:
            if let body {
                guard let again = (body as? any RewindableBodyProducer)?.rewound() else {
                    throw RedirectError(kind: .bodyNotReplayable(method: method, code: r.code), location: location, response: r)
                }
                nextBody = again
            }
        }
        // Drain the redirect's body first so its connection goes back to the pool for the next hop.
        let drained = DiscardBody()
        r.deliverBody(drained)
        return drained.finished.addDeferredBoth { result in
            if case .failure(let f) = result { throw f }  // cancelled while draining
            return self.send(nextMethod, next.description, h, nextBody, count: count + 1)
        }.addCallback { final in
            if final.previousResponse == nil || final.previousResponse !== r {
                final.previousResponse = r
            }
            return final
        }
    }
}

/// Follows redirects as browsers do (the Fetch standard; Twisted's `BrowserLikeRedirectAgent` for 301–303): a 301
/// or 302 answer to a POST, and a 303 answer to anything but GET/HEAD, are followed as a GET without a body; every
/// other 301, 302, 307 and 308 keeps the method and sends the body again (see ``RedirectAgent``).
@ReactorActor
public final class BrowserLikeRedirectAgent: RedirectAgent {
    override func follow(_ code: Int, _ method: String) -> Follow {
        switch code {
        case 301, 302: return method == "POST" ? .asGet : .sameMethodAndBody
        case 303: return method == "GET" || method == "HEAD" ? .sameMethodAndBody : .asGet
        case 307, 308: return .sameMethodAndBody
        default: return .no
        }
    }
}

/// A body protocol that drops what it gets; `finished` fires (with the end reason ignored) when the body ends.
@ReactorActor
final class DiscardBody: Protocol {
    private(set) var finished = Deferred<Void>()
    override init() {
        super.init()
        finished = Deferred(canceller: { [weak self] _ in self?.transport?.stopProducing() })
    }
    override func connectionLost(_ reason: Failure) {
        if !finished.called { finished.callback(()) }
    }
}
