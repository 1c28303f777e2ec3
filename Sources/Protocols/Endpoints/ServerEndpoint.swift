/// Something that can listen (Twisted's `IStreamServerEndpoint`).
@ReactorActor
public protocol ServerEndpoint: AnyObject {
    /// Starts listening; the Deferred fires with the port, or fails with the ``ConnectionError`` that prevented it.
    func listen(_ factory: Factory) -> Deferred<any ListeningPort>
}
