import TwisterProtocols
import TwisterHTTP

/// The consumer a request body producer writes into: frames the bytes (chunked when the length is unknown)
/// and checks that a producer with a known length writes exactly that many bytes.
@ReactorActor
final class ClientBodyWriter: Consumer {
    private let transport: any Transport
    let length: Int?
    private(set) var written = 0
    /// Set when the request is over: later writes are dropped.
    var closed = false
    private var overrun = false

    init(transport: any Transport, length: Int?) {
        self.transport = transport
        self.length = length
    }

    func write(_ data: ByteBuffer) {
        guard !closed, !data.isEmpty else { return }
        written += data.readableBytes
        if let length {
            if written > length { overrun = true; return }
            transport.write(data)
        } else {
            var frame = ByteBuffer(capacity: data.readableBytes + 16)
            frame.writeString(String(data.readableBytes, radix: 16))
            frame.writeString("\r\n")
            frame.writeImmutableBuffer(data)
            frame.writeString("\r\n")
            transport.write(frame)
        }
    }

    /// Frames go straight to the connection: what is buffered is the connection's.
    var bufferedBytes: Int { transport.bufferedBytes }
    func registerProducer(_ producer: any Producer, streaming: Bool) {}
    func unregisterProducer() {}

    /// Ends the body: writes the last chunk, or returns the length mismatch.
    func finish() -> (any Error)? {
        closed = true
        if let length {
            if overrun || written != length { return WrongBodyLength(announced: length, written: written) }
            return nil
        }
        transport.write(ByteBuffer(string: "0\r\n\r\n"))
        return nil
    }
}
