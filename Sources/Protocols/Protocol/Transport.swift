/// A connection's transport, as its ``Protocol`` sees it (Twisted's `ITransport`, `ITCPTransport`).
///
/// Owned by the reactor; every method must be called on the reactor thread (the compiler checks it through
/// ``ReactorActor``). Writes are buffered and never block: `write` queues bytes, the reactor sends them as the
/// socket accepts them. A transport is also a ``Producer`` of incoming data: `pauseProducing()` stops reading,
/// `resumeProducing()` starts again.
@ReactorActor
public protocol Transport: Consumer, Producer {
    /// Queues `data` for sending. Ignored once the connection is closing or closed.
    func write(_ data: ByteBuffer)
    /// Queues each buffer in order.
    func writeSequence(_ data: [ByteBuffer])
    /// Closes the connection once every queued byte has been sent (and any registered producer has
    /// unregistered); `connectionLost` then receives ``ConnectionError/done``.
    func loseConnection()
    /// Closes at once, dropping anything queued; `connectionLost` receives ``ConnectionError/aborted``.
    func abortConnection()
    /// True once `loseConnection` or `abortConnection` was called, or the connection is closed (Twisted's
    /// `transport.disconnecting`). Protocols that parse input stop dispatching when it is true.
    var disconnecting: Bool { get }
    /// The address of the other end.
    var peer: Address { get }
    /// The address of this end.
    var host: Address { get }
}

extension Transport {
    public func writeSequence(_ data: [ByteBuffer]) { for d in data { write(d) } }
    public func write(_ string: String) { write(ByteBuffer(string: string)) }
    public func write(_ bytes: [UInt8]) { write(ByteBuffer(bytes: bytes)) }
}
