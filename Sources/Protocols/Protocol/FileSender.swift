import Foundation

/// Sends a file to a consumer in chunks, as a pull producer (Twisted's `basic.FileSender`).
///
/// Contract (reactor thread): ``beginFileTransfer(_:consumer:transform:)`` registers the sender with the
/// consumer as a non-streaming (pull) producer and returns a Deferred. Each `resumeProducing()` from the
/// consumer reads up to ``chunkSize`` bytes (default 16 KiB) synchronously and writes them (through `transform`
/// when given). At end of file the sender unregisters and the Deferred fires with the last byte sent (nil for an
/// empty file). `stopProducing()` (the consumer went away) or a read error unregisters and fails the Deferred
/// (``FileSenderError``). The file handle is not closed: it belongs to the caller.
@ReactorActor
public final class FileSender: Producer {
    /// Bytes read per `resumeProducing()`.
    public var chunkSize = 16 * 1024
    private var file: FileHandle?
    private var consumer: (any Consumer)?
    private var transform: ((ByteBuffer) -> ByteBuffer)?
    private var deferred: Deferred<UInt8?>?
    private var lastSent: UInt8?

    public init() {}

    /// Starts sending `file` to `consumer`; the Deferred fires with the last byte sent once all is written.
    public func beginFileTransfer(_ file: FileHandle, consumer: any Consumer,
                                  transform: ((ByteBuffer) -> ByteBuffer)? = nil) -> Deferred<UInt8?> {
        precondition(deferred == nil, "FileSender can send only one file")
        self.file = file
        self.consumer = consumer
        self.transform = transform
        let d = Deferred<UInt8?>()
        deferred = d
        consumer.registerProducer(self, streaming: false)
        return d
    }

    public func resumeProducing() {
        guard let file, let consumer else { return }
        let chunk: Data
        do {
            chunk = try file.read(upToCount: chunkSize) ?? Data()
        } catch {
            finish(.failure(FileSenderError.readFailed("\(error)")))
            return
        }
        if chunk.isEmpty {
            finish(.success(lastSent))
            return
        }
        var buf = ByteBuffer(bytes: chunk)
        if let transform { buf = transform(buf) }
        if let last = buf.byte(atOffset: buf.readableBytes - 1) { lastSent = last }
        consumer.write(buf)
    }

    public func pauseProducing() {}

    public func stopProducing() {
        guard file != nil else { return }
        finish(.failure(FileSenderError.consumerStopped))
    }

    private func finish(_ r: Result<UInt8?, FileSenderError>) {
        let c = consumer
        file = nil
        consumer = nil
        transform = nil
        c?.unregisterProducer()
        guard let d = deferred else { return }
        switch r {
        case .success(let v): d.callback(v)
        case .failure(let e): d.errback(e)
        }
    }
}
