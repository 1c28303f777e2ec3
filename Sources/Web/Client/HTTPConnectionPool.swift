import TwisterProtocols
import TwisterHTTP

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

    struct Idle {
        let proto: HTTP11ClientProtocol
        /// When it went idle, on `clock`.
        let since: Double
    }
    /// The idle connections of one key, most recently used last. A key's list, once made, stays in `idle` for
    /// the pool's life (emptied, never replaced), so the Agent and the connections keep a reference to it
    /// instead of hashing the key (scheme, host, port strings) at each take and return.
    @ReactorActor
    final class IdleList {
        let key: ConnectionKey
        var entries: [Idle] = []
        init(_ key: ConnectionKey) { self.key = key }
    }
    private var idle: [ConnectionKey: IdleList] = [:]
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
    public func idleCount(_ key: ConnectionKey) -> Int { idle[key]?.entries.count ?? 0 }

    /// The idle list of `key`, made on first use.
    func idleList(_ key: ConnectionKey) -> IdleList {
        if let l = idle[key] { return l }
        let l = IdleList(key)
        idle[key] = l
        return l
    }

    /// The most recently used idle connection for `key`, taken out of the pool, or nil.
    public func takeIdle(_ key: ConnectionKey) -> HTTP11ClientProtocol? {
        guard let l = idle[key] else { return nil }
        return takeIdle(l)
    }

    /// The most recently used idle connection of `list` (one of this pool's), taken out of the pool, or nil.
    func takeIdle(_ list: IdleList) -> HTTP11ClientProtocol? {
        while let entry = list.entries.popLast() {
            if entry.proto.state == .idle && entry.proto.connected { return entry.proto }
        }
        return nil
    }

    /// A connection for `key`: an idle one (`reused == true`) or a new one made through `connector`.
    /// A connect timeout fails with ``ClientTimeoutError`` (phase `.connect`); cancelling gives up the attempt.
    public func getConnection(_ key: ConnectionKey, connector: any AgentConnector,
                              connectTimeout: Double?) -> Deferred<(HTTP11ClientProtocol, reused: Bool)> {
        if let p = takeIdle(key) { return Deferred.succeed((p, reused: true)) }
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
                let list = self.idleList(key)
                proto.onReusable = { [weak self] p in self?.putConnection(list, p) }
            }
            return proto
        }
    }

    /// Takes back an idle connection (called by the protocol when an exchange completed on a persistent connection).
    public func putConnection(_ key: ConnectionKey, _ proto: HTTP11ClientProtocol) {
        putConnection(idleList(key), proto)
    }

    func putConnection(_ list: IdleList, _ proto: HTTP11ClientProtocol) {
        guard persistent, proto.state == .idle, proto.connected else {
            proto.close()
            return
        }
        guard maxPersistentPerHost > 0 else { proto.close(); return }
        if list.entries.count >= maxPersistentPerHost {
            let dropped = list.entries.removeFirst()
            dropped.proto.onClosed = nil
            dropped.proto.close()
        }
        // The hooks stay set while the connection is busy too: a connection that closes then is simply not found.
        if proto.onClosed == nil { proto.onClosed = { [weak list] p in list?.remove(p) } }
        if proto.onReusable == nil { proto.onReusable = { [weak self] p in self?.putConnection(list, p) } }
        list.entries.append(Idle(proto: proto, since: clock.seconds()))
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
        for list in idle.values where !list.entries.isEmpty {
            list.entries.removeAll { e in
                let left = e.since + cachedConnectionTimeout - now
                if left <= 1e-9 { expired.append(e.proto); return true }
                next = min(next ?? left, left)
                return false
            }
        }
        if let next { armSweeper(after: next) }
        for p in expired {
            p.onClosed = nil
            p.close()
        }
    }

    /// Closes every idle connection (Twisted's `closeCachedConnections`).
    public func closeCachedConnections() {
        var all: [Idle] = []
        for list in idle.values {
            all += list.entries
            list.entries = []
        }
        sweeper?.cancel()
        sweeper = nil
        for e in all {
            e.proto.onClosed = nil
            e.proto.close()
        }
    }
}

extension HTTPConnectionPool.IdleList {
    /// Forgets `proto` (it closed while idle).
    func remove(_ proto: HTTP11ClientProtocol) {
        guard let i = entries.firstIndex(where: { $0.proto === proto }) else { return }
        entries.remove(at: i)
    }
}
