/// Something that can connect (Twisted's `IStreamClientEndpoint`).
@ReactorActor
public protocol ClientEndpoint: AnyObject {
    /// Connects; the Deferred fires with the connected protocol (after its `connectionMade`) or fails with the
    /// ``ConnectionError``. Cancelling it stops the attempt (the Deferred then fails with `CancelledError`).
    func connect(_ factory: Factory) -> Deferred<Protocol>
}
