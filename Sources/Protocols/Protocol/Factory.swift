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
