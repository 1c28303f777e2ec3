/// A transport whose write side can be closed alone (Twisted's `IHalfCloseableDescriptor`).
@ReactorActor
public protocol HalfCloseableTransport: Transport {
    /// Sends FIN after the queued bytes; reading goes on. The protocol's `writeConnectionLost()` is called.
    func loseWriteConnection()
}
