import TwisterProtocols
import TwisterHTTP

/// The transport a body protocol sees (Twisted's `TransportProxyProducer`): flow control reaches the HTTP
/// connection; writing does nothing; `loseConnection`, `abortConnection` and `stopProducing` abandon the body
/// (the connection is aborted, and the protocol's `connectionLost` gets ``ResponseFailed``).
@ReactorActor
final class ResponseBodyTransport: Transport {
    private var source: (any ResponseBodySource)?
    let peer: Address
    let host: Address

    init(source: (any ResponseBodySource)?) {
        self.source = source
        peer = source?.peerAddress ?? .unix(path: "")
        host = source?.hostAddress ?? .unix(path: "")
    }

    /// True once the body was abandoned.
    var disconnecting: Bool { source == nil }

    func write(_ data: ByteBuffer) {}
    /// Writing does nothing, so nothing is ever buffered.
    var bufferedBytes: Int { 0 }
    func registerProducer(_ producer: any Producer, streaming: Bool) {}
    func unregisterProducer() {}
    func pauseProducing() { source?.pauseBody() }
    func resumeProducing() { source?.resumeBody() }
    func stopProducing() { abandon() }
    func loseConnection() { abandon() }
    func abortConnection() { abandon() }

    private func abandon() {
        let s = source
        source = nil
        s?.stopBody(CancelledError())
    }
}
