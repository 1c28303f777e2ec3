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
