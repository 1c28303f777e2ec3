import TwisterProtocols
import TwisterHTTP

/// The source of a request body (Twisted's `IBodyProducer`): a push producer that knows its length, or not.
///
/// Contract: `length` is the exact number of bytes it will write, or nil when unknown (the request is then sent
/// with chunked transfer coding). `startProducing(consumer)` begins writing to `consumer` and returns a Deferred
/// that fires once every byte was written, or fails when producing failed. The client may call
/// `pauseProducing`/`resumeProducing` (flow control) and `stopProducing` (the request was abandoned: write
/// nothing more; the Deferred need not fire). Writing more or fewer bytes than `length` fails the request.
@ReactorActor
public protocol BodyProducer: Producer {
    var length: Int? { get }
    func startProducing(_ consumer: any Consumer) -> Deferred<Void>
}

/// A body producer that can make a fresh producer of the same bytes, so that a redirect that keeps the method
/// (307, 308) can send the body again.
@ReactorActor
public protocol RewindableBodyProducer: BodyProducer {
    /// A new producer that writes the whole body again from its start (nil when that is no longer possible).
    func rewound() -> (any BodyProducer)?
}

/// A body held in memory (Twisted's `FileBodyProducer` over a `BytesIO`): writes it in slices of `chunkSize`,
/// honouring pause and resume. Rewindable: a redirect that keeps the method sends it again.
@ReactorActor
public final class BytesBodyProducer: RewindableBodyProducer {
    private let body: ByteBuffer
    private let chunked: Bool
    private var remaining: ByteBuffer
    private let chunkSize: Int
    private var consumer: (any Consumer)?
    private var done: Deferred<Void>?
    private var paused = false
    private var writing = false
    public let length: Int?

    /// `chunked: true` hides the length so the body goes out with chunked transfer coding.
    public init(_ body: ByteBuffer, chunkSize: Int = 64 * 1024, chunked: Bool = false) {
        self.body = body
        self.chunked = chunked
        remaining = body
        self.chunkSize = max(1, chunkSize)
        length = chunked ? nil : body.readableBytes
    }

    public func rewound() -> (any BodyProducer)? { BytesBodyProducer(body, chunkSize: chunkSize, chunked: chunked) }
    public convenience init(_ string: String, chunked: Bool = false) { self.init(ByteBuffer(string: string), chunked: chunked) }

    public func startProducing(_ consumer: any Consumer) -> Deferred<Void> {
        let d = Deferred<Void>()
        self.consumer = consumer
        done = d
        writeSome()
        return d
    }

    private func writeSome() {
        guard !writing else { return }
        writing = true
        defer { writing = false }
        while !paused, let consumer, !remaining.isEmpty {
            let n = min(chunkSize, remaining.readableBytes)
            consumer.write(remaining.readSlice(length: n)!)
        }
        if remaining.isEmpty, let d = done {
            done = nil
            consumer = nil
            d.callback(())
        }
    }

    public func pauseProducing() { paused = true }
    public func resumeProducing() {
        paused = false
        if consumer != nil { writeSome() }
    }
    public func stopProducing() {
        consumer = nil
        done = nil
        remaining.clear()
    }
}
