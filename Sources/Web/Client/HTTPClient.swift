import TwisterProtocols
import TwisterHTTP

/// Tornado's `AsyncHTTPClient` on the Agent stack: one call fetches a URL and collects (or streams) the body.
///
/// Contract:
/// - `fetch` returns a Deferred of an ``FetchResponse`` (and has an async form). With `raiseError` (the default)
///   a non-2xx answer fails with ``HTTPClientError`` carrying the response; with `raiseError: false` it is
///   returned with `error` set. Network errors and timeouts always fail, with code 599.
/// - Each request gets: a connect timeout and an overall `requestTimeout` (20 s each by default; the request is
///   cancelled and its connection aborted when it passes), browser-like redirects up to `maxRedirects` (the last
///   redirect response is returned when the limit is hit, as Tornado does), and gzip/deflate decoding.
/// - Connections are pooled per host and port (`pool`), through `connector`.
@ReactorActor
public final class HTTPClient {
    public let pool: HTTPConnectionPool
    public let connector: any AgentConnector
    public let clock: any ReactorTime
    /// Send every request through this forward proxy (e.g. `http://127.0.0.1:3128`).
    public var proxyURL: String?
    /// Keep cookies across requests when set.
    public var cookieJar: CookieJar?

    public init(connector: any AgentConnector, clock: any ReactorTime, pool: HTTPConnectionPool? = nil) {
        self.connector = connector
        self.clock = clock
        self.pool = pool ?? HTTPConnectionPool(clock: clock)
    }

    /// Closes the idle connections.
    public func close() { pool.closeCachedConnections() }

    /// Fetches `url` (Tornado's `fetch`); the Deferred fires with the response. In async code,
    /// `try await client.fetch(url).value`. One shape only: there is no overload on the return type.
    public func fetch(_ url: String, method: String = "GET", headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer? = nil,
                      raiseError: Bool = true) -> Deferred<FetchResponse> {
        fetch(FetchRequest(url, method: method, headers: headers, body: body), raiseError: raiseError)
    }

    /// Fetches `request`; see ``fetch(_:method:headers:body:raiseError:)``.
    public func fetch(_ request: FetchRequest, raiseError: Bool = true) -> Deferred<FetchResponse> {
        let start = clock.seconds()
        let agent = makeAgent(for: request)
        var producer: (any BodyProducer)?
        if let make = request.bodyProducer { producer = make() } else if let b = request.body { producer = BytesBodyProducer(b) }
        var d = agent.request(request.method, request.url, headers: request.headers, bodyProducer: producer)
            .addErrback { f in
                // Tornado returns the last redirect when it cannot go further.
                if let e = f.value(as: RedirectError.self) {
                    switch e.kind {
                    case .tooManyRedirects, .noLocation: return e.response
                    default: break
                    }
                }
                throw f
            }
            .addDeferredCallback { r in
                self.collect(r, request, start: start)
            }
        if let t = request.requestTimeout {
            d = d.addTimeout(t, clock: clock)
        }
        return d.addCallbacks({ (resp: FetchResponse) throws -> FetchResponse in
            guard (200..<300).contains(resp.code) else {
                var r = resp
                let error = HTTPClientError(code: resp.code, message: resp.reason.isEmpty ? HTTPStatus.reason(resp.code) : resp.reason, response: resp)
                if raiseError { throw error }
                r.error = error
                return r
            }
            return resp
        }, { (f: Failure) throws -> FetchResponse in
            throw Self.clientError(f.error)
        })
    }

    private func makeAgent(for request: FetchRequest) -> any HTTPAgent {
        let base: Agent
        if let proxyURL, let p = try? ProxyAgent(proxyURL: proxyURL, connector: connector, pool: pool) {
            base = p.agent
        } else {
            base = Agent(connector: connector, pool: pool)
        }
        base.connectTimeout = request.connectTimeout
        base.expectContinue = request.expect100Continue
        var agent: any HTTPAgent = base
        if let cookieJar { agent = CookieAgent(agent, jar: cookieJar) }
        if request.decompressResponse { agent = ContentDecoderAgent(agent) }
        if request.followRedirects { agent = BrowserLikeRedirectAgent(agent, redirectLimit: request.maxRedirects) }
        return agent
    }

    private func collect(_ r: AgentResponse, _ request: FetchRequest, start: Double) -> Deferred<FetchResponse> {
        if let hc = request.headerCallback {
            hc("HTTP/\(r.version.major).\(r.version.minor) \(r.code) \(r.phrase)\r\n")
            for (n, v) in r.headers { hc("\(n): \(v)\r\n") }
            hc("\r\n")
        }
        let make = { (body: ByteBuffer) -> FetchResponse in
            FetchResponse(code: r.code, reason: r.phrase, headers: r.headers, body: body, requestURL: request.url,
                         effectiveURL: r.url, requestTime: self.clock.seconds() - start)
        }
        if let sc = request.streamingCallback {
            let p = StreamingBodyProtocol(sc)
            let d = Deferred<FetchResponse>(canceller: { _ in
                p.done = nil  // the Deferred fails with CancelledError (a timeout maps it to 599 "Timeout")
                p.transport?.stopProducing()
            })
            p.done = { reason in
                if reason.check(ResponseDone.self) || reason.check(PotentialDataLoss.self) {
                    d.callback(make(ByteBuffer()))
                } else if !d.called {
                    d.errback(reason)
                }
            }
            r.deliverBody(p)
            return d
        }
        return readBody(r).addErrback { f in
            if let partial = f.value(as: PartialDownloadError.self) { return partial.body }
            throw f
        }.addCallback { make($0) }
    }

    /// Maps any failure to Tornado's 599 error (timeouts and network errors), keeping HTTPClientError as is.
    static func clientError(_ error: any Error) -> HTTPClientError {
        if let e = error as? HTTPClientError { return e }
        if let t = error as? TimeoutError { return HTTPClientError(code: 599, message: "Timeout during request (\(t.seconds) s)", underlying: error) }
        var reasons: [any Error] = [error]
        if let e = error as? ResponseFailed { reasons += e.reasons }
        if let e = error as? ResponseNeverReceived { reasons += e.reasons }
        for r in reasons {
            if let t = r as? ClientTimeoutError {
                let msg = t.phase == .connect ? "Timeout while connecting" : "Timeout (\(t.phase.rawValue))"
                return HTTPClientError(code: 599, message: msg, underlying: error)
            }
        }
        return HTTPClientError(code: 599, message: "\(error)", underlying: error)
    }
}

/// Hands body slices to a streaming callback.
@ReactorActor
final class StreamingBodyProtocol: Protocol {
    let callback: @ReactorActor (ByteBuffer) -> Void
    var done: ((Failure) -> Void)?
    init(_ callback: @escaping @ReactorActor (ByteBuffer) -> Void) { self.callback = callback }
    override func dataReceived(_ data: ByteBuffer) { callback(data) }
    override func connectionLost(_ reason: Failure) {
        let d = done
        done = nil
        d?(reason)
    }
}
