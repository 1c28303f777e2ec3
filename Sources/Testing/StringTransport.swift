/// An in-memory transport that records what a protocol writes (Twisted's `proto_helpers.StringTransport`).
///
/// Contract: `write` appends to ``written`` (nothing is sent anywhere); `loseConnection` only sets
/// ``disconnecting`` (call ``finishLoss(_:)`` or use ``connect(_:)``'s helpers to deliver `connectionLost`);
/// `abortConnection` sets ``aborted``. A registered streaming producer can be paused/resumed by the test through
/// ``pauseRegisteredProducer()``/``resumeRegisteredProducer()``. Everything runs on the reactor actor, like a real
/// transport, so protocol code under test sees the same isolation.
@ReactorActor
public final class StringTransport: TCPTransport {
    /// Everything written so far.
    public var written = ByteBuffer()
    public private(set) var disconnecting = false
    public private(set) var aborted = false
    public private(set) var writeClosed = false
    public private(set) var readingPaused = false
    public private(set) var producer: (any Producer)?
    public private(set) var streaming = false
    public var noDelay = true
    public var keepAlive = false
    public var peer: Address
    public var host: Address
    /// The protocol connected by ``connect(_:)``.
    public private(set) var proto: Protocol?

    public init(peer: Address = .ipv4(host: "192.168.1.1", port: 54321), host: Address = .ipv4(host: "10.0.0.1", port: 80)) {
        self.peer = peer
        self.host = host
    }

    /// Makes the connection: `proto.makeConnection(self)`.
    public func connect(_ proto: Protocol) {
        self.proto = proto
        proto.makeConnection(self)
    }

    /// Feeds bytes to the connected protocol as if they arrived from the peer.
    public func receive(_ data: ByteBuffer) { proto?.dataReceived(data) }
    public func receive(_ string: String) { receive(ByteBuffer(string: string)) }

    /// The written bytes as a String, and clears them.
    @discardableResult
    public func take() -> String {
        let s = String(buffer: written)
        written.clear()
        return s
    }

    /// Returns and clears the written bytes.
    public func takeBytes() -> ByteBuffer {
        let b = written
        written.clear()
        return b
    }

    /// Delivers `connectionLost(reason)` to the protocol (once).
    public func finishLoss(_ reason: ConnectionError = .done) {
        guard let p = proto, p.connected else { return }
        p.connected = false
        p.connectionLost(Failure(reason))
    }

    // MARK: Transport

    public func write(_ data: ByteBuffer) {
        guard !writeClosed else { return }
        written.writeImmutableBuffer(data)
    }
    public func loseConnection() { disconnecting = true }
    public func abortConnection() { aborted = true; disconnecting = true }
    public func loseWriteConnection() { writeClosed = true }

    /// The bytes written and not yet taken by the test (``written``'s readable bytes): this transport's "kernel"
    /// is the test.
    public var bufferedBytes: Int { written.readableBytes }

    public func registerProducer(_ producer: any Producer, streaming: Bool) {
        precondition(self.producer == nil, "a producer is already registered")
        self.producer = producer
        self.streaming = streaming
    }
    public func unregisterProducer() { producer = nil }

    public func pauseProducing() { readingPaused = true }
    public func resumeProducing() { readingPaused = false }
    public func stopProducing() { loseConnection() }

    /// Acts as a full write buffer would: pauses the registered streaming producer.
    public func pauseRegisteredProducer() { producer?.pauseProducing() }
    /// Acts as a drained write buffer would: resumes the registered producer.
    public func resumeRegisteredProducer() { producer?.resumeProducing() }
}
