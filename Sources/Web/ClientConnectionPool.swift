/// Keeps idle HTTP connections for reuse (Twisted's `HTTPConnectionPool`).
///
/// Contract:
/// - Connections are keyed by ``ConnectionKey`` (scheme, host, port). `getConnection` hands out the most recently
///   returned idle connection for the key, or opens a new one through the connector.
/// - A connection comes back only after its previous response was read whole and its request written whole
///   (the client protocol decides; see ``HTTP11ClientProtocol``). With `persistent == false` nothing is kept and
///   requests carry `Connection: close`.
/// - At most `maxPersistentPerHost` idle connections are kept per key (the oldest is closed to make room): this
///   bounds *idle* connections, not concurrency, as in Twisted.
/// - An idle connection is closed after `cachedConnectionTimeout` seconds on `clock`, and forgotten at once if
///   the server closes it.
@ReactorActor
public final class HTTPConnectionPool {
    public let persistent: Bool
    public var maxPersistentPerHost = 2
    public var cachedConnectionTimeout: Double = 240
    /// Retry once on a new connection when a reused one turns out to be closed (idempotent methods without a body).
    public var retryAutomatically = true
    public let clock: any ReactorTime

    private struct Idle {
        let proto: HTTP11ClientProtocol
        /// When it went idle, on `clock`.
        let since: Double
    }
    /// Idle connections per key, most recently used last (a key's list may be empty).
    private var idle: [ConnectionKey: [Idle]] = [:]
    /// One timer for the whole pool closes the connections idle for `cachedConnectionTimeout` (a timer per idle
    /// spell cost a timer insertion and a cancellation per request).
    private var sweeper: (any DelayedCall)?
    /// Connections opened so far (for tests and stats).
    public private(set) var connectionsOpened = 0

    public init(clock: any ReactorTime, persistent: Bool = true) {
        self.clock = clock
        self.persistent = persistent
    }

    /// Number of idle connections kept for `key`.
    public func idleCount(_ key: ConnectionKey) -> Int { idle[key]?.count ?? 0 }

    /// The most recently used idle connection for `key`, taken out of the pool, or nil.
    public func takeIdle(_ key: ConnectionKey) -> HTTP11ClientProtocol? {
        while let entry = idle[key]?.popLast() {
            if entry.proto.state == .idle && entry.proto.connected { return entry.proto }
        }
        return nil
    }

    /// A connection for `key`: an idle one (`reused == true`) or a new one made through `connector`.
    /// A connect timeout fails with ``ClientTimeoutError`` (phase `.connect`); cancelling gives up the attempt.
    public func getConnection(_ key: ConnectionKey, connector: any AgentConnector,
                              connectTimeout: Double?) -> Deferred<(HTTP11ClientProtocol, reused: Bool)> {
        if let p = takeIdle(key) { return succeed((p, reused: true)) }
        return newConnection(key, connector: connector, connectTimeout: connectTimeout).addCallback { ($0, reused: false) }
    }

    /// Opens a new connection for `key` (never an idle one).
    public func newConnection(_ key: ConnectionKey, connector: any AgentConnector, connectTimeout: Double?) -> Deferred<HTTP11ClientProtocol> {
        let proto = HTTP11ClientProtocol()
        proto.clock = clock
        connectionsOpened += 1
        var d = connector.connect(key, proto, timeout: connectTimeout)
        if let t = connectTimeout {
            d = d.addTimeout(t, clock: clock) { r, seconds in
                if case .failure(let f) = r, f.check(CancelledError.self) { throw ClientTimeoutError(.connect, seconds: seconds) }
                return try r.get()
            }
        }
        return d.addCallback { () -> HTTP11ClientProtocol in
            if self.persistent {
                proto.onReusable = { [weak self] p in self?.putConnection(key, p) }
            }
            return proto
        }
    }

    /// Takes back an idle connection (called by the protocol when an exchange completed on a persistent connection).
    public func putConnection(_ key: ConnectionKey, _ proto: HTTP11ClientProtocol) {
        guard persistent, proto.state == .idle, proto.connected else {
            proto.close()
            return
        }
        guard maxPersistentPerHost > 0 else { proto.close(); return }
        if let n = idle[key]?.count, n >= maxPersistentPerHost {
            let dropped = idle[key]!.removeFirst()
            dropped.proto.onClosed = nil
            dropped.proto.close()
        }
        // The hooks stay set while the connection is busy too: a connection that closes then is simply not found.
        if proto.onClosed == nil { proto.onClosed = { [weak self] p in self?.remove(key, p) } }
        if proto.onReusable == nil { proto.onReusable = { [weak self] p in self?.putConnection(key, p) } }
        idle[key, default: []].append(Idle(proto: proto, since: clock.seconds()))
        if sweeper == nil { armSweeper(after: cachedConnectionTimeout) }
    }

    private func armSweeper(after delay: Double) {
        sweeper = clock.callLater(delay) { [weak self] in self?.sweep() }
    }

    /// Closes the connections idle for `cachedConnectionTimeout` and re-arms for the next one to expire.
    private func sweep() {
        sweeper = nil
        let now = clock.seconds()
        var next: Double?
        var expired: [HTTP11ClientProtocol] = []
        for key in Array(idle.keys) {
            idle[key]!.removeAll { e in
                let left = e.since + cachedConnectionTimeout - now
                if left <= 1e-9 { expired.append(e.proto); return true }
                next = min(next ?? left, left)
                return false
            }
            if idle[key]!.isEmpty { idle[key] = nil }
        }
        if let next { armSweeper(after: next) }
        for p in expired {
            p.onClosed = nil
            p.close()
        }
    }

    private func remove(_ key: ConnectionKey, _ proto: HTTP11ClientProtocol) {
        guard let i = idle[key]?.firstIndex(where: { $0.proto === proto }) else { return }
        idle[key]!.remove(at: i)
    }

    /// Closes every idle connection (Twisted's `closeCachedConnections`).
    public func closeCachedConnections() {
        let all = idle
        idle = [:]
        sweeper?.cancel()
        sweeper = nil
        for (_, list) in all {
            for e in list {
                e.proto.onClosed = nil
                e.proto.close()
            }
        }
    }
}
