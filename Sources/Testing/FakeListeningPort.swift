/// The listening port MemoryReactor returns: records whether it was stopped.
@ReactorActor
public final class FakeListeningPort: ListeningPort {
    public let host: Address
    public let factory: Factory
    public private(set) var stopped = false
    init(host: Address, factory: Factory) {
        self.host = host
        self.factory = factory
        factory.doStart()
    }
    public func stopListening() -> Deferred<Void> {
        if !stopped { stopped = true; factory.doStop() }
        return Deferred.succeed(())
    }
}
