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
        let timer: any DelayedCall
    }
    private var idle: [ConnectionKey: [Idle]] = [:]
    /// Connections opened so far (for tests and stats).
    public private(set) var connectionsOpened = 0

    public init(clock: any ReactorTime, persistent: Bool = true) {
        self.clock = clock
        self.persistent = persistent
    }

    /// Number of idle connections kept for `key`.
    public func idleCount(_ key: ConnectionKey) -> Int { idle[key]?.count ?? 0 }

    /// A connection for `key`: an idle one (`reused == true`) or a new one made through `connector`.
    /// A connect timeout fails with ``ClientTimeoutError`` (phase `.connect`); cancelling gives up the attempt.
    public func getConnection(_ key: ConnectionKey, connector: any AgentConnector,
                              connectTimeout: Double?) -> Deferred<(HTTP11ClientProtocol, reused: Bool)> {
        while var list = idle[key], let entry = list.popLast() {
            idle[key] = list.isEmpty ? nil : list
            entry.timer.cancel()
            if entry.proto.state == .idle && entry.proto.connected {
                entry.proto.onClosed = nil
                return succeed((entry.proto, reused: true))
            }
        }
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
        var list = idle[key] ?? []
        if list.count >= maxPersistentPerHost, !list.isEmpty {
            let dropped = list.removeFirst()
            dropped.timer.cancel()
            dropped.proto.onClosed = nil
            dropped.proto.close()
        }
        guard maxPersistentPerHost > 0 else { proto.close(); return }
        let timer = clock.callLater(cachedConnectionTimeout) { [weak self, weak proto] in
            guard let self, let proto else { return }
            self.remove(key, proto)
            proto.close()
        }
        proto.onClosed = { [weak self] p in self?.remove(key, p) }
        proto.onReusable = { [weak self] p in self?.putConnection(key, p) }
        list.append(Idle(proto: proto, timer: timer))
        idle[key] = list
    }

    private func remove(_ key: ConnectionKey, _ proto: HTTP11ClientProtocol) {
        guard var list = idle[key], let i = list.firstIndex(where: { $0.proto === proto }) else { return }
        list[i].timer.cancel()
        list.remove(at: i)
        idle[key] = list.isEmpty ? nil : list
    }

    /// Closes every idle connection (Twisted's `closeCachedConnections`).
    public func closeCachedConnections() {
        let all = idle
        idle = [:]
        for (_, list) in all {
            for e in list {
                e.timer.cancel()
                e.proto.onClosed = nil
                e.proto.close()
            }
        }
    }
}
