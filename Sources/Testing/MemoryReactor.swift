/// A reactor that does no I/O and records what it was asked to do (Twisted's `MemoryReactor` + `Clock`).
///
/// `listenTCP`/`listenUNIX` record the call and return a ``FakeListeningPort``; `connectTCP`/`connectUNIX` record
/// it, call the factory's `startedConnecting` and return a ``FakeConnector``. Complete a recorded connection with
/// ``succeedConnection(_:transport:)`` (the factory builds a protocol, connected to a `StringTransport`) or
/// ``failConnection(_:reason:)``. Time comes from the embedded ``clock``: `callLater` schedules on it and
/// ``advance(_:)`` runs what is due.
@ReactorActor
public final class MemoryReactor: ReactorTCP, ReactorUNIX, @ReactorActor ReactorTime {
    public struct TCPServer {
        public let port: Int
        public let factory: Factory
        public let backlog: Int
        public let interface: String
    }
    public struct TCPClient {
        public let host: String
        public let port: Int
        public let factory: ClientFactory
        public let timeout: Double
        public let bindAddress: Address?
        public let connector: FakeConnector
    }
    public struct UNIXServer {
        public let path: String
        public let factory: Factory
        public let backlog: Int
        public let mode: Int
    }
    public struct UNIXClient {
        public let path: String
        public let factory: ClientFactory
        public let timeout: Double
        public let connector: FakeConnector
    }

    public private(set) var tcpServers: [TCPServer] = []
    public private(set) var tcpClients: [TCPClient] = []
    public private(set) var unixServers: [UNIXServer] = []
    public private(set) var unixClients: [UNIXClient] = []
    /// The fake time source.
    public let clock = Clock()
    /// When set, the next listen call throws it (then it is cleared).
    public var nextListenError: (any Error)?
    private var nextPort = 40000

    public init() {}

    // MARK: ReactorTime

    // An isolated conformance (SE-0470): MemoryReactor's time is used on the reactor actor, like the reactor's.
    public func seconds() -> Double { clock.seconds() }
    @discardableResult
    public func callLater(_ delay: Double, _ f: @escaping () -> Void) -> any DelayedCall {
        clock.callLater(delay, f)
    }
    /// Advances the clock, running due calls in time order.
    public func advance(_ seconds: Double) { clock.advance(seconds) }

    // MARK: ReactorTCP

    public func listenTCP(_ port: Int, _ factory: Factory, backlog: Int, interface: String, reusePort: Bool) throws -> any ListeningPort {
        if let e = nextListenError { nextListenError = nil; throw e }
        tcpServers.append(TCPServer(port: port, factory: factory, backlog: backlog, interface: interface))
        let real = port == 0 ? allocatePort() : port
        let host: Address = interface.contains(":") ? .ipv6(host: interface, port: real) : .ipv4(host: interface.isEmpty ? "0.0.0.0" : interface, port: real)
        return FakeListeningPort(host: host, factory: factory)
    }

    public func connectTCP(host: String, port: Int, factory: ClientFactory, timeout: Double, bindAddress: Address?) -> any Connector {
        let c = FakeConnector(destination: .ipv4(host: host, port: port), factory: factory)
        tcpClients.append(TCPClient(host: host, port: port, factory: factory, timeout: timeout, bindAddress: bindAddress, connector: c))
        c.connect()
        return c
    }

    // MARK: ReactorUNIX

    public func listenUNIX(_ path: String, _ factory: Factory, backlog: Int, mode: Int) throws -> any ListeningPort {
        if let e = nextListenError { nextListenError = nil; throw e }
        unixServers.append(UNIXServer(path: path, factory: factory, backlog: backlog, mode: mode))
        return FakeListeningPort(host: .unix(path: path), factory: factory)
    }

    public func connectUNIX(_ path: String, _ factory: ClientFactory, timeout: Double) -> any Connector {
        let c = FakeConnector(destination: .unix(path: path), factory: factory)
        unixClients.append(UNIXClient(path: path, factory: factory, timeout: timeout, connector: c))
        c.connect()
        return c
    }

    // MARK: completing connections

    /// All recorded connectors, TCP then UNIX, in call order within each kind.
    public var connectors: [FakeConnector] { tcpClients.map(\.connector) + unixClients.map(\.connector) }

    /// Completes the `index`th TCP connection attempt (Twisted's `ConnectionCompleter.succeedOnce`): the factory
    /// builds the protocol, which is connected to `transport`. Returns the protocol (nil if the factory refused).
    @discardableResult
    public func succeedConnection(_ index: Int = 0, transport: StringTransport = StringTransport()) -> Protocol? {
        tcpClients[index].connector.succeed(transport: transport)
    }

    /// Fails the `index`th TCP connection attempt with `reason` (Twisted's `failOnce`).
    public func failConnection(_ index: Int = 0, reason: ConnectionError = .refused) {
        tcpClients[index].connector.fail(reason)
    }

    private func allocatePort() -> Int {
        nextPort += 1
        return nextPort
    }
}
