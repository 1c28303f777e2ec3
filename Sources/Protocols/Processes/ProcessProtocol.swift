/// The base class for talking to a child process (Twisted's `ProcessProtocol`).
///
/// Lifecycle, on the reactor thread: `makeConnection(transport)` → `connectionMade()`; `outReceived` and
/// `errReceived` with the child's stdout/stderr as they arrive; `outConnectionLost`/`errConnectionLost` when those
/// pipes close, `inConnectionLost` when stdin is closed; `processExited(reason)` when the child exits; and
/// `processEnded(reason)` once it has exited *and* every pipe is closed. `reason.error` is a ``ProcessEnd``.
@ReactorActor
open class ProcessProtocol {
    public var transport: ProcessTransport?

    public init() {}

    open func makeConnection(_ transport: ProcessTransport) {
        self.transport = transport
        connectionMade()
    }
    open func connectionMade() {}
    open func outReceived(_ data: ByteBuffer) {}
    open func errReceived(_ data: ByteBuffer) {}
    open func inConnectionLost() {}
    open func outConnectionLost() {}
    open func errConnectionLost() {}
    open func processExited(_ reason: Failure) {}
    open func processEnded(_ reason: Failure) {}
}
