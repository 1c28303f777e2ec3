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

/// Makes protocols for new connections (Twisted's `Factory`/`ServerFactory`).
///
/// `buildProtocol` may return nil to refuse a connection (it is then closed at once). `doStart`/`doStop` count
/// the ports using the factory and call `startFactory`/`stopFactory` on the first start and the last stop.
@ReactorActor
open class Factory {
    private let make: (@ReactorActor () -> Protocol)?
    private var numPorts = 0

    /// A factory whose `buildProtocol` calls `make` (Twisted's `Factory.forProtocol`).
    public init(_ make: @escaping @ReactorActor () -> Protocol) { self.make = make }
    /// For subclasses that override `buildProtocol`.
    public init() { make = nil }

    /// Builds the protocol for a connection from/to `addr`, or nil to refuse it.
    open func buildProtocol(_ addr: Address) -> Protocol? {
        guard let make else { return nil }
        let p = make()
        p.factory = self
        return p
    }

    open func startFactory() {}
    open func stopFactory() {}

    public final func doStart() {
        if numPorts == 0 { startFactory() }
        numPorts += 1
    }
    public final func doStop() {
        guard numPorts > 0 else { return }
        numPorts -= 1
        if numPorts == 0 { stopFactory() }
    }
}

/// A pending or made outgoing connection (Twisted's `IConnector`).
@ReactorActor
public protocol Connector: AnyObject {
    /// Starts (or restarts) connecting.
    func connect()
    /// Gives up an attempt in progress; the factory gets `clientConnectionFailed` with `.aborted`.
    func stopConnecting()
    /// Closes the connection if made, or stops connecting.
    func disconnect()
    /// Where it connects to.
    var destination: Address { get }
}

/// A factory for outgoing connections (Twisted's `ClientFactory`): told when attempts start, fail and end.
@ReactorActor
open class ClientFactory: Factory {
    open func startedConnecting(_ connector: any Connector) {}
    /// The attempt failed; `reason.error` is a ``ConnectionError`` (refused, timedOut, dnsLookupFailed, …).
    open func clientConnectionFailed(_ connector: any Connector, reason: Failure) {}
    /// An established connection ended.
    open func clientConnectionLost(_ connector: any Connector, reason: Failure) {}
}

/// A listening port (Twisted's `IListeningPort`).
@ReactorActor
public protocol ListeningPort: AnyObject {
    /// Stops accepting; the Deferred fires once the socket is closed. Existing connections stay up.
    func stopListening() -> Deferred<Void>
    /// The bound address (with the real port when port 0 was asked for).
    var host: Address { get }
}
