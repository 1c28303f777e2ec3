import TwisterProtocols
import TwisterHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The body of a request (Twisted's `request.content`): in memory while small, spilled to an anonymous temporary
/// file once it grows above a threshold.
///
/// Contract: the channel appends the decoded body as it arrives, then the Request hands it to the resource. The
/// temporary file is created with `mkstemp` in `$TMPDIR` (or /tmp) and unlinked at once, so it disappears when
/// the body is released, even if the process dies. Not thread-safe: used on the reactor thread.
public final class RequestBody {
    /// Bytes held in memory (all of the body unless ``isSpilled``).
    private var memory = ByteBuffer()
    private var fd: Int32 = -1
    private let threshold: Int
    /// Total body bytes.
    public private(set) var count = 0
    /// True when the body lives in a temporary file.
    public var isSpilled: Bool { fd >= 0 }
    /// Set when spilling failed (the disk is full or the directory not writable); the request then gets 500.
    public private(set) var spillError: Int32 = 0

    /// A body kept in memory up to `inMemoryLimit` bytes.
    public init(inMemoryLimit: Int = 100_000) { threshold = inMemoryLimit }
    /// The body of every request that has none: shared, and frozen (appending to it does nothing).
    nonisolated(unsafe) static let sharedEmpty: RequestBody = {
        // Safe: frozen at creation, so it is never mutated after this initializer and can be read anywhere.
        let b = RequestBody(inMemoryLimit: 0)
        b.frozen = true
        return b
    }()
    private var frozen = false
    static func empty() -> RequestBody { sharedEmpty }

    /// A body holding `bytes`.
    public convenience init(_ bytes: ByteBuffer) {
        self.init(inMemoryLimit: Int.max)
        append(bytes)
    }

    deinit { if fd >= 0 { _ = close(fd) } }

    /// Appends decoded body bytes.
    public func append(_ data: ByteBuffer) {
        if frozen { return }
        count += data.readableBytes
        if fd < 0 {
            memory.writeImmutableBuffer(data)
            if memory.readableBytes > threshold { spill() }
        } else {
            writeAll(data)
        }
    }

    private func spill() {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((dir + "/twister-body-XXXXXX").utf8CString)
        let f = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if f < 0 { spillError = errno; return }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        fd = f
        let m = memory
        memory = ByteBuffer()
        writeAll(m)
    }

    private func writeAll(_ data: ByteBuffer) {
        data.withUnsafeReadableBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; spillError = errno; return }
                off += n
            }
        }
    }

    /// The whole body, read back from the file when spilled (Twisted's `content.read()`).
    public func bytes() -> ByteBuffer {
        if fd < 0 { return memory }
        return read(offset: 0, length: count)
    }

    /// `length` bytes from `offset` (clamped to the body).
    public func read(offset: Int, length: Int) -> ByteBuffer {
        let start = max(0, min(offset, count)), n = max(0, min(length, count - start))
        if fd < 0 { return memory.bytes(atOffset: start, length: n).map { ByteBuffer(bytes: $0) } ?? ByteBuffer() }
        var out = ByteBuffer(capacity: n)
        var done = 0
        while done < n {
            let got = out.writeWithUnsafeMutableBytes(maxLength: n - done) { p in
                max(0, pread(fd, p.baseAddress!, n - done, off_t(start + done)))
            }
            if got == 0 { break }
            done += got
        }
        return out
    }

    /// The body as text (UTF-8, invalid bytes repaired).
    public var text: String { String(buffer: bytes()) }
}
