/// A small pool of Redis connections, each kept up by its own ``ReconnectingClientFactory``.
///
/// Contract (reactor thread):
/// - ``start()`` makes ``size`` factories and hands each to the `connect` closure, which starts a connection with
///   it and returns the connector (e.g. `{ Reactor.shared.connectTCP(host: h, port: p, factory: $0) }`, which is
///   what ``init(host:port:size:options:)`` does). Each factory builds a ``RedisProtocol`` with ``options``.
/// - A connection joins ``connections`` once its handshake (HELLO/AUTH/SELECT) succeeded; the factory's delay is
///   then reset. ``acquire()`` fires with the ready connection that has the fewest pending calls (never one in
///   pub/sub mode); when none is up it waits for one.
/// - A failed attempt or a lost connection is retried by the factory on Twisted's schedule: ``initialDelay`` ×
///   ``factor`` after the first failure, × ``factor`` again after each further one, capped at ``maxDelay``, varied
///   by a normal ``jitter`` (a fraction of the delay; 0 turns it off). A command in flight on a connection that is
///   lost fails with the loss reason (it is not retried: it may have run).
/// - ``stop()`` stops every factory (pending retries are cancelled, attempts in progress stopped), closes every
///   connection and fails waiters with ``RedisError/notConnected``; later ``acquire()`` calls fail the same way.
@ReactorActor
public final class RedisPool: RedisClient {
    public let size: Int
    public let options: RedisOptions
    public var initialDelay = 0.1
    public var factor = 2.718281828
    public var maxDelay = 30.0
    /// The standard deviation of the random variation of each delay, as a fraction of it (Twisted's default).
    public var jitter = 0.11962656472
    /// Live, ready connections.
    public private(set) var connections: [RedisProtocol] = []
    /// Connection attempts that failed or connections lost, in total.
    public private(set) var reconnects = 0
    /// The factories, one per pooled connection (they hold the retry state).
    public private(set) var factories: [RedisPoolFactory] = []

    private let connect: (ClientFactory) -> any Connector
    let clock: any ReactorTime
    private var waiters: [Deferred<RedisProtocol>] = []
    private var stopped = false

    /// A pool whose connections `connect` starts with the factory it is given (and returns the connector of).
    public init(size: Int = 4, options: RedisOptions = RedisOptions(), clock: any ReactorTime = Reactor.shared,
                connect: @escaping (ClientFactory) -> any Connector) {
        precondition(size > 0)
        self.size = size
        self.options = options
        self.clock = clock
        self.connect = connect
    }

    /// A pool of TCP connections to `host`:`port` on the shared reactor.
    public convenience init(host: String, port: Int = 6379, size: Int = 4, options: RedisOptions = RedisOptions(),
                            connectTimeout: Double = 30) {
        self.init(size: size, options: options) { f in
            Reactor.shared.connectTCP(host: host, port: port, factory: f, timeout: connectTimeout)
        }
    }

    /// Opens the connections.
    public func start() {
        guard !stopped, factories.isEmpty else { return }
        for _ in 0..<size {
            let f = RedisPoolFactory(pool: self)
            f.clock = clock
            f.initialDelay = initialDelay
            f.resetDelay()
            f.factor = factor
            f.maxDelay = maxDelay
            f.jitter = jitter
            factories.append(f)
            f.initialConnector = connect(f)
        }
    }

    func ready(_ p: RedisProtocol) {
        if stopped { p.transport?.loseConnection(); return }
        connections.append(p)
        let w = waiters
        waiters = []
        for d in w { d.callback(p) }
    }

    func ended(_ p: RedisProtocol?) {
        if let p { connections.removeAll { $0 === p } }
        if !stopped { reconnects += 1 }
    }

    /// A ready connection: the least busy one, or the next to come up.
    public func acquire() -> Deferred<RedisProtocol> {
        if stopped { return Deferred.fail(RedisError.notConnected) }
        if let best = connections.filter({ $0.connected && !$0.isSubscribed }).min(by: { $0.pendingCount < $1.pendingCount }) {
            return Deferred.succeed(best)
        }
        let d = Deferred<RedisProtocol>()
        waiters.append(d)
        return d
    }

    // MARK: RedisClient (the typed commands of RedisClient+Commands.swift run through these)

    /// Runs one command on a pooled connection.
    public func execute(_ args: [RedisArgument]) -> Deferred<RedisValue> {
        acquire().addDeferredCallback { p in p.execute(args) }
    }

    /// Runs one command whose reply is an integer on a pooled connection.
    public func executeInteger(_ args: [RedisArgument]) -> Deferred<Int64> {
        acquire().addDeferredCallback { p in p.executeInteger(args) }
    }

    /// Runs one command whose reply is a bulk string or null on a pooled connection.
    public func executeOptionalBytes(_ args: [RedisArgument]) -> Deferred<ByteBuffer?> {
        acquire().addDeferredCallback { p in p.executeOptionalBytes(args) }
    }

    /// GET on a pooled connection.
    public func get(_ key: RedisArgument) -> Deferred<ByteBuffer?> {
        acquire().addDeferredCallback { p in p.get(key) }
    }

    /// SET on a pooled connection.
    public func set(_ key: RedisArgument, _ value: RedisArgument, expire: RedisExpiry?,
                    condition: RedisSetCondition) -> Deferred<Bool> {
        acquire().addDeferredCallback { p in
            p.set(key, value, expire: expire, condition: condition)
        }
    }

    /// Closes every connection and stops reconnecting.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        for f in factories {
            f.stopTrying()
            f.initialConnector?.disconnect()
            f.current?.transport?.loseConnection()
        }
        connections = []
        let w = waiters
        waiters = []
        for d in w { d.errback(RedisError.notConnected) }
    }
}
