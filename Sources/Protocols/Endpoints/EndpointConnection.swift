/// The client factory behind ``ClientEndpoint/connect(_:)`` and ``ClientCreator``: wraps the user's factory,
/// fires a Deferred with the user's protocol once it is connected, and turns a failed attempt into an errback.
@ReactorActor
final class EndpointConnection: ClientFactory {
    let wrapped: Factory
    let result: Deferred<Protocol>
    var connector: (any Connector)?
    var cancelled = false

    private init(wrapped: Factory, result: Deferred<Protocol>) {
        self.wrapped = wrapped
        self.result = result
        super.init()
    }

    /// Starts a connection with `connect` and returns the Deferred of the connected protocol. Cancelling the
    /// Deferred before it fires stops the attempt (or drops a connection that was just made).
    static func start(_ factory: Factory, _ connect: (ClientFactory) -> any Connector) -> Deferred<Protocol> {
        let box = Box()
        let d = Deferred<Protocol>(canceller: { _ in
            guard let ec = box.value else { return }
            // The Deferred fails with CancelledError (Twisted's ConnectingCancelledError), not the .aborted that
            // stopConnecting reports to the factory.
            ec.cancelled = true
            ec.connector?.stopConnecting()
        })
        let ec = EndpointConnection(wrapped: factory, result: d)
        box.value = ec
        ec.connector = connect(ec)
        return d
    }

    final class Box { weak var value: EndpointConnection? }

    override func buildProtocol(_ addr: Address) -> Protocol? {
        guard !result.called, let p = wrapped.buildProtocol(addr) else { return nil }
        return WrappingProtocol(p, self)
    }

    func connected(_ p: Protocol) {
        if !result.called { result.callback(p) } else { p.transport?.abortConnection() }
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        if !result.called && !cancelled { result.errback(reason.error) }
    }
}

/// Forwards every event to the user's protocol and tells the endpoint once the connection is made
/// (Twisted's `_WrappingProtocol`).
@ReactorActor
final class WrappingProtocol: Protocol {
    let wrapped: Protocol
    weak var owner: EndpointConnection?

    init(_ wrapped: Protocol, _ owner: EndpointConnection) {
        self.wrapped = wrapped
        self.owner = owner
        super.init()
    }

    override func makeConnection(_ transport: any Transport) {
        self.transport = transport
        connected = true
        wrapped.makeConnection(transport)
        owner?.connected(wrapped)
    }
    override func dataReceived(_ data: ByteBuffer) { wrapped.dataReceived(data) }
    override func connectionLost(_ reason: Failure) {
        connected = false
        wrapped.connected = false
        wrapped.connectionLost(reason)
    }
    override var wantsHalfClose: Bool { wrapped.wantsHalfClose }
    override func readConnectionLost() { wrapped.readConnectionLost() }
    override func writeConnectionLost() { wrapped.writeConnectionLost() }
}
