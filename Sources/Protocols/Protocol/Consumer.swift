/// Something that accepts data and can throttle a registered producer (Twisted's `IConsumer`).
///
/// Every transport is a consumer, so ``bufferedBytes`` is on every transport too.
///
/// Contract: at most one producer is registered at a time. A streaming producer is paused when the consumer's
/// buffer goes above its high-water mark and resumed when it drains; a pull producer is asked for more
/// (`resumeProducing`) each time the buffer drains.
@ReactorActor
public protocol Consumer: AnyObject {
    func write(_ data: ByteBuffer)
    func registerProducer(_ producer: any Producer, streaming: Bool)
    func unregisterProducer()
    /// Bytes written to this consumer and not yet passed on (to the kernel, or to the consumer it writes into):
    /// what its high-water mark is measured against. Reactor thread; 0 when nothing is pending.
    var bufferedBytes: Int { get }
}
