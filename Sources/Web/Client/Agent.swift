import TwisterProtocols
import TwisterHTTP

/// Issues HTTP/1.1 requests over pooled connections (Twisted's `Agent`).
///
/// Contract:
/// - `request` validates the method, URL and headers (a bad one fails the Deferred with ``ClientRequestError``
///   without connecting), adds `Host` (no default port; IPv6 bracketed) unless given, and fires with the
///   ``AgentResponse`` once its head arrived. The body is then read through `AgentResponse.deliverBody` or ``readBody(_:)``.
/// - Connections come from `pool` (a non-persistent one when none is given, whose requests carry
///   `Connection: close`) and are opened through `connector`.
/// - A request that fails before any response byte on a *reused* connection (the server had closed it) is
///   retried once on a new connection when its method is idempotent (GET, HEAD, OPTIONS, DELETE, TRACE) and
///   it has no body.
/// - Timeouts: `connectTimeout`, `firstByteTimeout` (request written → first response byte), `bodyTimeout`
///   (between body reads); each aborts the connection with a ``ClientTimeoutError`` reason.
/// - Cancelling the Deferred gives up connecting or aborts the connection.
@ReactorActor
public final class Agent: HTTPAgent {
    public let pool: HTTPConnectionPool
    public let connector: any AgentConnector
    public var connectTimeout: Double? = 30
    public var firstByteTimeout: Double?
    public var bodyTimeout: Double?
    /// Send `Expect: 100-continue` with request bodies.
    public var expectContinue = false
    /// A forward proxy to send every request through (absolute-form targets); set by ``ProxyAgent``.
    var proxy: ConnectionKey? { didSet { lastTarget = nil } }

    /// What a URL string parses to, kept for the last URL requested: a client that asks for the same URL again
    /// and again (polling, benchmarks, an API endpoint) parses it once.
    private final class Target {
        let url: String
        let hostHeader: String
        let target: String
        let key: ConnectionKey
        let absolute: String
        /// `Host` alone: the headers of a request whose caller gave none.
        let hostOnly: HTTPHeaders
        /// The pool's idle list for `key`, found once instead of hashing the key per request.
        var idleList: HTTPConnectionPool.IdleList?
        /// The validated, serialized head of a request without headers or body, for `preparedMethod`.
        var preparedMethod: String?
        var preparedHead = ByteBuffer()

        init(url: String, hostHeader: String, target: String, key: ConnectionKey, absolute: String) {
            self.url = url
            self.hostHeader = hostHeader
            self.target = target
            self.key = key
            self.absolute = absolute
            hostOnly = HTTPHeaders([("Host", hostHeader)])
        }
    }
    private var lastTarget: Target?

    public init(connector: any AgentConnector, pool: HTTPConnectionPool) {
        self.connector = connector
        self.pool = pool
    }

    /// An Agent without persistent connections.
    public convenience init(connector: any AgentConnector, clock: any ReactorTime) {
        self.init(connector: connector, pool: HTTPConnectionPool(clock: clock, persistent: false))
    }

    static let idempotent: Set<String> = ["GET", "HEAD", "OPTIONS", "DELETE", "TRACE"]

    private func target(_ url: String) throws -> Target {
        if let t = lastTarget, t.url == url { return t }
        let parsed = try ClientURL(url)
        if parsed.scheme == "https" { throw ClientRequestError("https is not supported yet (no TLS)") }
        let absolute = parsed.description
        let t = Target(url: url, hostHeader: parsed.hostHeader, target: proxy == nil ? parsed.target : absolute,
                       key: proxy ?? ConnectionKey(parsed), absolute: absolute)
        lastTarget = t
        return t
    }

    public func request(_ method: String, _ url: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)?) -> Deferred<AgentResponse> {
        let t: Target
        do { t = try target(url) } catch { return Deferred.fail(error) }
        var req: AgentRequest
        if headers.isEmpty && bodyProducer == nil {
            // The common request (no headers of the caller's, no body): its head is validated and serialized
            // once per URL and method, and written as is.
            req = AgentRequest(method: method, target: t.target, headers: t.hostOnly, bodyProducer: nil, persistent: pool.persistent)
            if t.preparedMethod != method {
                do { try req.validate() } catch { return Deferred.fail(error) }
                t.preparedHead = req.serializeHeadWithoutBody()
                t.preparedMethod = method
            }
            req.preparedHead = t.preparedHead
        } else {
            var h = headers
            if !h.contains("Host") { h.add("Host", t.hostHeader) }
            req = AgentRequest(method: method, target: t.target, headers: h, bodyProducer: bodyProducer, persistent: pool.persistent)
            do { try req.validate() } catch { return Deferred.fail(error) }
        }
        req.expectContinue = expectContinue
        req.firstByteTimeout = firstByteTimeout
        req.bodyTimeout = bodyTimeout
        let key = t.key
        let absolute = t.absolute
        let list: HTTPConnectionPool.IdleList
        if let l = t.idleList { list = l } else { list = pool.idleList(key); t.idleList = list }
        if let proto = pool.takeIdle(list) {
            // A reused connection at once: no Deferred for the connection, one errback step for the retry.
            return proto.request(req, url: absolute).addDeferredErrback { f in
                guard self.shouldRetry(req, f) else { throw f }
                return self.pool.newConnection(key, connector: self.connector, connectTimeout: self.connectTimeout)
                    .addDeferredCallback { $0.request(req, url: absolute) }
            }
        }
        return pool.getConnection(key, connector: connector, connectTimeout: connectTimeout)
            .addDeferredCallback { conn in
                let (proto, reused) = conn
                let d = proto.request(req, url: absolute)
                guard reused else { return d }
                return d.addDeferredErrback { f in
                    guard self.shouldRetry(req, f) else { throw f }
                    return self.pool.newConnection(key, connector: self.connector, connectTimeout: self.connectTimeout)
                        .addDeferredCallback { $0.request(req, url: absolute) }
                }
            }
    }

    /// Twisted's `_shouldRetry`: idempotent, no body, and the failure happened before any response byte.
    func shouldRetry(_ req: AgentRequest, _ f: Failure) -> Bool {
        guard pool.retryAutomatically, Self.idempotent.contains(req.method), req.bodyProducer == nil else { return false }
        if let e = f.value(as: ResponseNeverReceived.self) {
            return !e.reasons.contains { $0 is ClientTimeoutError || $0 is CancelledError }
        }
        return f.check(RequestNotSent.self)
    }
}
