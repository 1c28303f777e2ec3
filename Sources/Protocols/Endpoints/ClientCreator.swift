/// Connects and hands back the connected protocol instance as a cancellable Deferred (Twisted's `ClientCreator`).
///
/// ```swift
/// let proto = try await ClientCreator(Reactor.shared) { MyClient() }.connectTCP(host: "example.com", port: 80).value
/// ```
/// The Deferred fires after the protocol's `connectionMade`, or fails with the ``ConnectionError`` of the
/// attempt; cancelling it stops the attempt (it then fails with `CancelledError`).
@ReactorActor
public final class ClientCreator<P: Protocol> {
    public let reactor: any EndpointReactor
    private let make: () -> P

    public init(_ reactor: any EndpointReactor, _ make: @escaping () -> P) {
        self.reactor = reactor
        self.make = make
    }

    public func connectTCP(host: String, port: Int, timeout: Double = 30, bindAddress: Address? = nil) -> Deferred<P> {
        connect(TCPClientEndpoint(reactor: reactor, host: host, port: port, timeout: timeout, bindAddress: bindAddress))
    }

    public func connectUNIX(_ path: String, timeout: Double = 30) -> Deferred<P> {
        connect(UNIXClientEndpoint(reactor: reactor, path: path, timeout: timeout))
    }

    private func connect(_ endpoint: any ClientEndpoint) -> Deferred<P> {
        let make = self.make
        return endpoint.connect(Factory { make() }).addCallback { p in p as! P }
    }
}
