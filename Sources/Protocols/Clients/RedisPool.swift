/// A small pool of Redis connections that reconnects (with exponential back-off) when one is lost.
///
/// Contract (reactor thread): ``start()`` opens ``size`` connections through the `connect` closure (e.g. a
/// `ClientCreator(...).connectTCP(...)` for a ``RedisProtocol``). ``acquire()`` fires with the ready connection
/// that has the fewest pending calls (never one in pub/sub mode); when none is up it waits for one. A connection
/// that is lost or fails to connect is retried after ``initialDelay`` seconds, multiplied by ``factor`` on each
/// consecutive failure up to ``maxDelay``, and reset on success (the ReconnectingClientFactory schedule without
/// jitter). ``execute(_:)`` runs one command on an acquired connection; a command in flight on a connection that
/// is lost fails with the loss reason (it is not retried: it may have run). ``stop()`` closes everything and fails
/// waiters with ``RedisError/notConnected``.
@ReactorActor
public final class RedisPool {
    public let size: Int
    public var initialDelay = 0.1
    public var factor = 2.718281828
    public var maxDelay = 30.0
    /// Live, ready connections.
    public private(set) var connections: [RedisProtocol] = []
    /// Connection attempts that failed or connections lost, in total.
    public private(set) var reconnects = 0

    private let connect: () -> Deferred<RedisProtocol>
    private let clock: any ReactorTime
    private var delay: Double
    private var waiters: [Deferred<RedisProtocol>] = []
    private var stopped = false
    private var retryCalls: [any DelayedCall] = []

    public init(size: Int = 4, clock: any ReactorTime, connect: @escaping () -> Deferred<RedisProtocol>) {
        precondition(size > 0)
        self.size = size
        self.clock = clock
        self.connect = connect
        delay = initialDelay
    }

    /// Opens the connections.
    public func start() {
        for _ in 0..<size { open() }
    }

    private func open() {
        guard !stopped else { return }
        let d = connect().addCallback { (p: RedisProtocol) -> Deferred<RedisProtocol> in
            p.whenReady().addCallback { (_: Void) -> RedisProtocol in p }
        }
        _ = d.addBoth { [weak self] (r: Result<RedisProtocol, Failure>) -> Void in
            guard let self else { return }
            switch r {
            case .success(let p):
                if self.stopped { p.transport?.loseConnection(); return }
                self.delay = self.initialDelay
                p.onConnectionLost = { [weak self, weak p] _ in
                    guard let self else { return }
                    self.connections.removeAll { $0 === p }
                    self.scheduleReopen()
                }
                self.connections.append(p)
                let w = self.waiters
                self.waiters = []
                for d in w { d.callback(p) }
            case .failure:
                self.scheduleReopen()
            }
        }
    }

    private func scheduleReopen() {
        guard !stopped else { return }
        reconnects += 1
        let wait = delay
        delay = min(delay * factor, maxDelay)
        var call: (any DelayedCall)?
        call = clock.callLater(wait) { [weak self] in
            ReactorActor.assumeIsolatedIfPossible {
                guard let self else { return }
                self.retryCalls.removeAll { $0 === call }
                self.open()
            }
        }
        if let call { retryCalls.append(call) }
    }

    /// A ready connection: the least busy one, or the next to come up.
    public func acquire() -> Deferred<RedisProtocol> {
        if stopped { return fail(RedisError.notConnected) }
        if let best = connections.filter({ $0.connected && !$0.isSubscribed }).min(by: { $0.pendingCount < $1.pendingCount }) {
            return succeed(best)
        }
        let d = Deferred<RedisProtocol>()
        waiters.append(d)
        return d
    }

    /// Runs one command on a pooled connection.
    public func execute(_ args: [RedisArgument]) -> Deferred<RedisValue> {
        acquire().addCallback { (p: RedisProtocol) -> Deferred<RedisValue> in p.execute(args) }
    }

    /// Closes every connection and stops reconnecting.
    public func stop() {
        stopped = true
        for c in retryCalls { c.cancel() }
        retryCalls = []
        let cs = connections
        connections = []
        for c in cs { c.onConnectionLost = nil; c.transport?.loseConnection() }
        let w = waiters
        waiters = []
        for d in w { d.errback(RedisError.notConnected) }
    }
}
