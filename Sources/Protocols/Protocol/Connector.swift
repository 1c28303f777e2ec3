/// A pending or made outgoing connection (Twisted's `IConnector`).
@ReactorActor
public protocol Connector: AnyObject {
    /// Starts (or restarts) connecting.
    func connect()
    /// Gives up an attempt in progress; the factory gets `clientConnectionFailed` with `.aborted`.
    func stopConnecting()
    /// Closes the connection if made, or stops connecting.
    func disconnect()
    /// Where it connects to.
    var destination: Address { get }
}
