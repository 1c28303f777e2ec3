/// Listening and connecting over UNIX stream sockets (Twisted's `IReactorUNIX`).
@ReactorActor
public protocol ReactorUNIX: AnyObject {
    /// Listens on the socket file `path` with permission bits `mode` (a stale file nobody listens on is replaced).
    func listenUNIX(_ path: String, _ factory: Factory, backlog: Int, mode: Int) throws -> any ListeningPort
    func connectUNIX(_ path: String, _ factory: ClientFactory, timeout: Double) -> any Connector
}

extension ReactorUNIX {
    public func listenUNIX(_ path: String, _ factory: Factory, backlog: Int = 50) throws -> any ListeningPort {
        try listenUNIX(path, factory, backlog: backlog, mode: 0o666)
    }
    public func connectUNIX(_ path: String, _ factory: ClientFactory) -> any Connector {
        connectUNIX(path, factory, timeout: 30)
    }
}

extension Reactor: ReactorUNIX {
    public func listenUNIX(_ path: String, _ factory: Factory, backlog: Int, mode: Int) throws -> any ListeningPort {
        try StreamListeningPort.listen(reactor: self, address: .unix(path: path), factory: factory, backlog: backlog, reusePort: false, mode: mode)
    }

    public func connectUNIX(_ path: String, _ factory: ClientFactory, timeout: Double) -> any Connector {
        let c = StreamConnector(reactor: self, target: .unix(path: path), factory: factory, timeout: timeout, bindAddress: nil)
        c.connect()
        return c
    }
}
