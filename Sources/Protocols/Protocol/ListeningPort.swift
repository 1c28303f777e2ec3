/// A listening port (Twisted's `IListeningPort`).
@ReactorActor
public protocol ListeningPort: AnyObject {
    /// Stops accepting; the Deferred fires once the socket is closed. Existing connections stay up.
    func stopListening() -> Deferred<Void>
    /// The bound address (with the real port when port 0 was asked for).
    var host: Address { get }
}
