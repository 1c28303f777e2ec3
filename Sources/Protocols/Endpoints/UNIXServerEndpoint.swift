/// Listens on a UNIX socket file (Twisted's `UNIXServerEndpoint`).
@ReactorActor
public final class UNIXServerEndpoint: ServerEndpoint {
    public let reactor: any EndpointReactor
    public let path: String
    public let mode: Int
    public let backlog: Int
    public init(reactor: any EndpointReactor, path: String, mode: Int = 0o666, backlog: Int = 50) {
        self.reactor = reactor; self.path = path; self.mode = mode; self.backlog = backlog
    }
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        do { return Deferred.succeed(try reactor.listenUNIX(path, factory, backlog: backlog, mode: mode)) }
        catch { return Deferred.fail(error) }
    }
}
