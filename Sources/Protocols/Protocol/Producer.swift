/// Something that produces data for a ``Consumer`` (Twisted's `IProducer`, `IPushProducer`, `IPullProducer`).
///
/// A *push* (streaming) producer writes on its own until `pauseProducing()` and starts again on
/// `resumeProducing()`. A *pull* producer writes one chunk each time `resumeProducing()` is called.
/// `stopProducing()` means the consumer is gone: write nothing more. All calls come on the reactor thread.
@ReactorActor
public protocol Producer: AnyObject {
    func resumeProducing()
    func pauseProducing()
    func stopProducing()
}

extension Producer {
    public func pauseProducing() {}
}
