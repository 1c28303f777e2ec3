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
