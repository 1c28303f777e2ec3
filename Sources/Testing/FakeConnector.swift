/// The connector MemoryReactor returns. Drive it with ``succeed(transport:)`` / ``fail(_:)``.
@ReactorActor
public final class FakeConnector: Connector {
    public let destination: Address
    public let factory: ClientFactory
    public private(set) var state = StreamConnector.State.disconnected
    public private(set) var connectCalls = 0
    public private(set) var transport: StringTransport?

    init(destination: Address, factory: ClientFactory) {
        self.destination = destination
        self.factory = factory
    }

    public func connect() {
        guard state == .disconnected else { return }
        state = .connecting
        connectCalls += 1
        factory.startedConnecting(self)
    }

    public func stopConnecting() {
        guard state == .connecting else { return }
        fail(.aborted)
    }

    public func disconnect() {
        switch state {
        case .connecting: stopConnecting()
        case .connected: lose(.done)
        case .disconnected: break
        }
    }

    /// Makes the pending attempt succeed over `transport`; returns the protocol the factory built.
    @discardableResult
    public func succeed(transport: StringTransport = StringTransport()) -> Protocol? {
        guard state == .connecting else { return nil }
        guard let p = factory.buildProtocol(transport.peer) else {
            state = .disconnected
            factory.clientConnectionFailed(self, reason: Failure(ConnectionError.aborted))
            return nil
        }
        state = .connected
        self.transport = transport
        transport.connect(p)
        return p
    }

    /// Makes the pending attempt fail with `reason`.
    public func fail(_ reason: ConnectionError) {
        guard state == .connecting else { return }
        state = .disconnected
        factory.clientConnectionFailed(self, reason: Failure(reason))
    }

    /// Ends an established fake connection: the protocol gets `connectionLost`, the factory `clientConnectionLost`.
    public func lose(_ reason: ConnectionError = .done) {
        guard state == .connected else { return }
        state = .disconnected
        transport?.finishLoss(reason)
        transport = nil
        factory.clientConnectionLost(self, reason: Failure(reason))
    }
}
