/// Follows redirects on top of another agent (Twisted's `RedirectAgent`).
///
/// Contract:
/// - 301, 302, 307 and 308 are followed with the same method for GET and HEAD; for another method they fail
///   with ``RedirectError`` (`.methodNotRedirectable`). 303 is followed as a GET without a body.
/// - The Location is resolved against the request URL. A redirect without Location, to an unusable URL, or past
///   `redirectLimit` hops fails with ``RedirectError`` carrying the redirect response.
/// - A hop to another origin drops Authorization, Cookie, Proxy-Authorization and WWW-Authenticate.
/// - The redirect response's body is read and discarded (so its connection can be reused); the final response
///   has `previousResponse` set to the redirect that led to it.
@ReactorActor
public class RedirectAgent: HTTPAgent {
    public let agent: any HTTPAgent
    public let redirectLimit: Int
    /// Codes followed with the same method (GET/HEAD only).
    var sameMethodCodes: Set<Int> { [301, 302, 307, 308] }
    /// Codes followed as GET whatever the method.
    var seeOtherCodes: Set<Int> { [303] }

    public init(_ agent: any HTTPAgent, redirectLimit: Int = 20) {
        self.agent = agent
        self.redirectLimit = redirectLimit
    }

    static let crossOriginSensitive = ["Authorization", "Cookie", "Proxy-Authorization", "WWW-Authenticate"]

    public func request(_ method: String, _ url: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)?) -> Deferred<Response> {
        send(method, url, headers, bodyProducer, count: 0)
    }

    private func send(_ method: String, _ url: String, _ headers: HTTPHeaders, _ body: (any BodyProducer)?, count: Int) -> Deferred<Response> {
        agent.request(method, url, headers: headers, bodyProducer: body).addCallback { (r: Response) throws -> Deferred<Response> in
            try self.handle(r, method, url, headers, count)
        }
    }

    private func handle(_ r: Response, _ method: String, _ url: String, _ headers: HTTPHeaders, _ count: Int) throws -> Deferred<Response> {
        let sameMethod = sameMethodCodes.contains(r.code)
        let seeOther = seeOtherCodes.contains(r.code)
        guard sameMethod || seeOther else { return succeed(r) }
        if sameMethod && method != "GET" && method != "HEAD" {
            throw RedirectError(kind: .methodNotRedirectable(method: method, code: r.code), location: r.headers["Location"], response: r)
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
        if seeOther {
            nextMethod = method == "HEAD" ? "HEAD" : "GET"
            h.remove("Content-Type")
            h.remove("Content-Length")
        }
        // Drain the redirect's body first so its connection goes back to the pool for the next hop.
        let drained = DiscardBody()
        r.deliverBody(drained)
        return drained.finished.addBoth { (result: Result<Void, Failure>) throws -> Deferred<Response> in
            if case .failure(let f) = result { throw f }  // cancelled while draining
            return self.send(nextMethod, next.description, h, nil, count: count + 1)
        }.addCallback { (final: Response) -> Response in
            if final.previousResponse == nil || final.previousResponse !== r {
                final.previousResponse = r
            }
            return final
        }
    }
}

/// Follows redirects as browsers do (Twisted's `BrowserLikeRedirectAgent`): 301, 302, 303 and 308 become a GET
/// for any method; 307 keeps the method (GET/HEAD only).
@ReactorActor
public final class BrowserLikeRedirectAgent: RedirectAgent {
    override var sameMethodCodes: Set<Int> { [307] }
    override var seeOtherCodes: Set<Int> { [301, 302, 303, 308] }
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
