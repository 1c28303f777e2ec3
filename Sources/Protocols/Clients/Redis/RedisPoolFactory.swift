/// The ``ReconnectingClientFactory`` behind one pooled Redis connection: builds the protocol, reports it to the
/// pool once its handshake succeeded (and resets the back-off then), and tells the pool when it is gone.
@ReactorActor
public final class RedisPoolFactory: ReconnectingClientFactory {
    weak var pool: RedisPool?
    /// The connection this factory made last (nil before the first one).
    public private(set) weak var current: RedisProtocol?
    /// The connector returned when the pool started this factory (the factory learns it on the first failure).
    var initialConnector: (any Connector)?

    init(pool: RedisPool) {
        self.pool = pool
        super.init()
    }

    public override func buildProtocol(_ addr: Address) -> Protocol? {
        guard let pool else { return nil }
        let p = RedisProtocol(options: pool.options, clock: pool.clock)
        current = p
        _ = p.whenReady().addBoth { [weak self, weak p] (r: Result<Void, Failure>) -> Void in
            // A failed handshake closes the connection itself; the loss then schedules the retry.
            guard let self, let p, case .success = r else { return }
            self.resetDelay()
            self.pool?.ready(p)
        }
        return p
    }

    public override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        pool?.ended(nil)
        super.clientConnectionFailed(connector, reason: reason)
    }

    public override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        pool?.ended(current)
        super.clientConnectionLost(connector, reason: reason)
    }
}
