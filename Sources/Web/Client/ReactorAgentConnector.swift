import TwisterProtocols
import TwisterHTTP

/// Opens Agent connections through the reactor's TCP and UNIX connectors (Twisted's endpoint factory over
/// `connectTCP`/`connectUNIX`).
///
/// Contract: see ``AgentConnector``. `http+unix` keys connect to the socket path in `key.host`; others to
/// `key.host:key.port` over TCP. The Deferred fires once the protocol's `connectionMade` ran; a failed attempt
/// fails it with the reactor's ``ConnectionError``; cancelling it stops the attempt (or aborts a connection not
/// yet handed over).
@ReactorActor
public final class ReactorAgentConnector: AgentConnector {
    public typealias ConnectTCP = @ReactorActor (_ host: String, _ port: Int, _ factory: ClientFactory, _ timeout: Double) -> any Connector
    public typealias ConnectUNIX = @ReactorActor (_ path: String, _ factory: ClientFactory, _ timeout: Double) -> any Connector

    private let connectTCP: ConnectTCP
    private let connectUNIX: ConnectUNIX

    /// A connector over the given connect functions (the reactor's, or fakes in tests).
    public init(connectTCP: @escaping ConnectTCP, connectUNIX: @escaping ConnectUNIX) {
        self.connectTCP = connectTCP
        self.connectUNIX = connectUNIX
    }

    public func connect(_ key: ConnectionKey, _ proto: Protocol, timeout: Double?) -> Deferred<Void> {
        let factory = OneConnectionFactory(proto)
        let d = Deferred<Void>(canceller: { _ in
            factory.cancelled = true
            factory.connector?.stopConnecting()
            if proto.connected { proto.transport?.abortConnection() }
        })
        factory.result = d
        if let hook = proto as? HTTP11ClientProtocol {
            hook.onConnectionMade = { [weak factory] in factory?.succeeded() }
        }
        let t = timeout ?? 30
        factory.connector = key.isUNIX ? connectUNIX(key.host, factory, t) : connectTCP(key.host, key.port, factory, t)
        return d
    }
}

/// Hands one prepared protocol to one connection attempt and reports the outcome.
@ReactorActor
final class OneConnectionFactory: ClientFactory {
    private var proto: Protocol?
    var result: Deferred<Void>?
    var connector: (any Connector)?
    var cancelled = false

    init(_ proto: Protocol) {
        self.proto = proto
        super.init()
    }

    override func buildProtocol(_ addr: Address) -> Protocol? {
        guard !cancelled, let p = proto else { return nil }
        proto = nil
        p.factory = self
        if !(p is HTTP11ClientProtocol) {
            // No connectionMade hook: report success once the transport has started it.
            Task { @ReactorActor [weak self] in self?.succeeded() }
        }
        return p
    }

    func succeeded() {
        guard !cancelled, let d = result else { return }
        result = nil
        d.callback(())
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        guard !cancelled, let d = result else { return }
        result = nil
        d.errback(reason)
    }
}
