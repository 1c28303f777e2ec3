/// The base class for UDP protocols (Twisted's `DatagramProtocol`).
///
/// Lifecycle, on the reactor thread: `makeConnection(transport)` → `startProtocol()`, then
/// `datagramReceived(_:from:)` per datagram, and `stopProtocol()` when the port stops listening. In connected mode
/// (``UDPPort/connect(to:)``) an ICMP "port unreachable" from the peer shows up as `connectionRefused()`.
@ReactorActor
open class DatagramProtocol {
    /// The port, set by `makeConnection`.
    public var transport: UDPPort?

    public init() {}

    open func makeConnection(_ transport: UDPPort) {
        self.transport = transport
        startProtocol()
    }

    /// Called when the port starts listening.
    open func startProtocol() {}
    /// Called when the port stops listening.
    open func stopProtocol() {}
    /// One datagram from `from`.
    open func datagramReceived(_ data: ByteBuffer, from: Address) {}
    /// Connected mode only: the peer's port was unreachable.
    open func connectionRefused() {}
}
