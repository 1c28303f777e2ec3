/// The base class for connection-oriented protocols (Twisted's `Protocol`).
///
/// Subclass it and override the event methods. Lifecycle, all on the reactor thread:
/// `makeConnection(transport)` (sets `transport`, `connected`, then calls `connectionMade()`), then any number
/// of `dataReceived(_:)` calls with the bytes as they arrive (split anywhere), then exactly one
/// `connectionLost(_:)` whose reason's error is a ``ConnectionError`` (`.done` for a clean close).
///
/// The transport holds the protocol until `connectionLost` returns; the protocol holds the transport.
///
/// Half-close: a protocol that returns true from `wantsHalfClose` gets `readConnectionLost()` when the peer shuts
/// its write side (the default closes the connection) and `writeConnectionLost()` after `loseWriteConnection()`.
@ReactorActor
open class Protocol {
    /// The transport, set by `makeConnection`.
    // `@exclusivity(unchecked)` (Docs/internals/design.md, "No dynamic exclusivity checks"): read on every write of every
    // protocol. A protocol is confined to the reactor thread, and `Transport` is class-bound, so a call through
    // `transport?.write(…)` loads the reference first: no access spans the call, whatever it calls back.
    @exclusivity(unchecked) public var transport: (any Transport)?
    /// True between `makeConnection` and `connectionLost`.
    public var connected = false
    /// The factory that built this protocol, if any (set by ``Factory/buildProtocol(_:)``'s default).
    public weak var factory: Factory?

    public init() {}

    /// Connects the protocol to `transport` and calls `connectionMade()`.
    open func makeConnection(_ transport: any Transport) {
        self.transport = transport
        connected = true
        connectionMade()
    }

    /// Called once when the connection is up; `transport` is set.
    open func connectionMade() {}

    /// Called with bytes as they arrive, in order, split at arbitrary points.
    open func dataReceived(_ data: ByteBuffer) {}

    /// Called once when the connection ends. `reason.error` is a ``ConnectionError``.
    open func connectionLost(_ reason: Failure) {}

    /// Opt in to half-close events (Twisted's `IHalfCloseableProtocol`).
    open var wantsHalfClose: Bool { false }

    /// The peer closed its write side (only if `wantsHalfClose`). Default: close the connection.
    open func readConnectionLost() { transport?.loseConnection() }

    /// Our write side was closed by `loseWriteConnection()` (only if `wantsHalfClose`).
    open func writeConnectionLost() {}
}
