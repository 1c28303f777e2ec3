import TwisterProtocols
import TwisterHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A piece of a file response: literal bytes (multipart headers) or a span of the file.
enum FileBodySegment {
    case bytes(ByteBuffer)
    case file(offset: Int, count: Int)

    var count: Int {
        switch self { case .bytes(let b): return b.readableBytes; case .file(_, let n): return n }
    }
}

/// Streams file segments into a request (Twisted's `static.SingleRangeStaticProducer` and friends).
///
/// Contract: a pull producer: each `resumeProducing()` writes at most 64 KiB, or hands a whole file span to a
/// ``FileSendingTransport`` (zero-copy) when the transport offers it and the span is large. After the last
/// segment it unregisters, finishes the request and closes the file. `stopProducing()` (the client went away)
/// closes the file. Owns `fd`. Reactor thread only.
@ReactorActor
final class FileBodyProducer: Producer {
    static let pieceSize = 64 * 1024
    private let request: Request
    private var fd: Int32
    private var segments: [FileBodySegment]
    private var index = 0
    private var done = 0
    private let sendfileThreshold: Int
    private var waitingForSendfile = false

    init(request: Request, fd: Int32, segments: [FileBodySegment], sendfileThreshold: Int) {
        self.request = request
        self.fd = fd
        self.segments = segments
        self.sendfileThreshold = sendfileThreshold
    }

    /// Registers with the request and starts producing.
    func start() {
        request.registerProducer(self, streaming: false)
    }

    func resumeProducing() {
        if waitingForSendfile || fd < 0 { return }
        guard index < segments.count else { complete(); return }
        switch segments[index] {
        case .bytes(let b):
            index += 1
            request.write(b)
        case .file(let offset, let count):
            let remaining = count - done
            if done == 0, count >= sendfileThreshold, let t = request.channel?.transport as? any FileSendingTransport {
                // Zero-copy: hand the whole span to the kernel. The head went out already (Content-Length known).
                waitingForSendfile = true
                t.sendFile(fd, offset: offset, count: count) { [self] result in
                    waitingForSendfile = false
                    switch result {
                    case .success:
                        request.noteSent(count)
                        index += 1; done = 0
                        if index >= segments.count { complete() } else { request.channel?.resumeProducing() }
                    case .failure:
                        stopProducing()
                    }
                }
                return
            }
            let n = min(Self.pieceSize, remaining)
            var chunk = ByteBuffer(capacity: n)
            let got = chunk.writeWithUnsafeMutableBytes(maxLength: n) { p in
                var r = -1
                repeat { r = pread(fd, p.baseAddress!, n, off_t(offset + done)) } while r < 0 && errno == EINTR
                return max(0, r)
            }
            if got <= 0 {
                // The file shrank or failed under us: the announced length cannot be honoured; close.
                request.abortResponse()
                stopProducing()
                return
            }
            done += got
            if done >= count { index += 1; done = 0 }
            request.write(chunk)
        }
        if index >= segments.count { complete() }
    }

    func pauseProducing() {}

    func stopProducing() {
        if fd >= 0 { close(fd); fd = -1 }
    }

    private func complete() {
        guard fd >= 0 else { return }
        close(fd); fd = -1
        request.unregisterProducer()
        request.finish()
    }
}
