import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write queue of a ``StreamTransport``: the buffers written and the file ranges queued with `sendFile`, in
/// order, with what is not yet sent (SwiftNIO's `PendingWritesManager` plays this part for its channels).
///
/// Contract (a value owned by one transport, used on the reactor thread):
/// - Bytes go out in the order they were queued; a file range goes out after every buffer queued before it and
///   before every buffer queued after it (each range remembers the absolute index of the first buffer after it).
/// - Small writes are coalesced: a buffer under 16 KiB is appended to the last queued one when that is under
///   16 KiB too and no file range sits between them.
/// - ``bufferedBytes`` counts every byte queued and not yet handed to the kernel, file ranges included by what
///   is left of them.
/// - The system calls (`write`/`writev` of up to 64 buffers, `sendfile` or `pread` + `write`) are made here; the
///   transport decides what to do with their outcome (errno, waiting for writability, completions, closing).
///   No method calls back into the transport or a protocol.
struct PendingWrites {
    private var queue: [ByteBuffer] = []
    /// Index in `queue` of the first buffer not completely sent.
    private var queueHead = 0
    /// Buffers dropped from the front of `queue` so far: `queueBase + i` is the absolute index of `queue[i]`.
    private var queueBase = 0
    /// File ranges queued with `sendFile`, in order; each goes out when the buffers before it are sent.
    private var files: [PendingFile] = []
    /// Bytes queued and not yet sent, file ranges included (by what is not yet sent).
    private(set) var bufferedBytes = 0

    /// Largest buffer the coalescing of small writes appends to, and largest write it appends.
    private static let coalesceLimit = 16384
    /// Most buffers handed to one `writev`.
    private static let maxIOVecs = 64

    /// True when a file range is queued (sent or not).
    var hasFiles: Bool { !files.isEmpty }

    /// Queues `data` (its readable bytes; not empty) after everything queued.
    @inline(__always)
    mutating func append(_ data: ByteBuffer) {
        let n = data.readableBytes
        if queue.count > queueHead, n < Self.coalesceLimit, queue[queue.count - 1].readableBytes < Self.coalesceLimit,
           files.last?.afterBuffer != queueBase + queue.count {
            queue[queue.count - 1].writeImmutableBuffer(data)
        } else {
            queue.append(data)
        }
        bufferedBytes += n
    }

    /// Queues `count` bytes of the file `fd` from `offset` after everything queued; `completion` is the
    /// caller's, to be run by the transport when the range is sent or fails.
    mutating func appendFile(_ fd: Int32, offset: Int, count: Int, completion: @escaping (Result<Void, ConnectionError>) -> Void) {
        files.append(PendingFile(fd: fd, offset: offset, remaining: count, afterBuffer: queueBase + queue.count,
                                 completion: completion))
        bufferedBytes += count
    }

    /// True when buffers queued before the first file range (all of them when none is queued) are unsent.
    @inline(__always)
    var hasBuffersBeforeFirstFile: Bool { queueHead < bufferLimit }

    /// The index in `queue` of the first buffer that must wait for a file range.
    @inline(__always)
    private var bufferLimit: Int { files.isEmpty ? queue.count : files[0].afterBuffer - queueBase }

    /// One `write`/`writev` to `fd` of up to 64 buffers before the first file range; marks what went out as
    /// sent. Returns the bytes written, or -1 with errno set.
    mutating func writeBuffers(to fd: Int32) -> Int {
        let limit = bufferLimit
        let count = min(limit - queueHead, Self.maxIOVecs)
        let head = queueHead
        let n: Int
        if count == 1 {
            n = queue[head].withUnsafeReadableBytes { SystemCalls.write(fd, $0.baseAddress, $0.count) }
        } else {
            let bufs = queue[head..<(head + count)]
            n = withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { iovs -> Int in
                func fill(_ i: Int) -> Int {
                    if i == count { return writev(fd, iovs.baseAddress, Int32(count)) }
                    return bufs[head + i].withUnsafeReadableBytes { p -> Int in
                        iovs[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: p.baseAddress), iov_len: p.count)
                        return fill(i + 1)
                    }
                }
                return fill(0)
            }
        }
        if n > 0 { consume(n) }
        return n
    }

    /// Marks `written` bytes at the head of the queue as sent.
    private mutating func consume(_ written: Int) {
        var n = written
        bufferedBytes -= n
        while n > 0 && queueHead < queue.count {
            let avail = queue[queueHead].readableBytes
            if n >= avail {
                n -= avail
                queue[queueHead] = ByteBuffer()
                queueHead += 1
            } else {
                queue[queueHead].moveReaderIndex(forwardBy: n)
                n = 0
            }
        }
    }

    enum FileSendResult { case done, wouldBlock, failed(ConnectionError) }

    /// Sends as much of the first file range as `fd` takes (it must be at the head: no buffer before it unsent).
    /// `.done` once all of it went out (then ``popFirstFile()`` it and run its completion).
    mutating func sendFirstFile(to fd: Int32, sendfileDisabled: Bool) -> FileSendResult {
        while files[0].remaining > 0 {
            let n = Self.sendFileChunk(fd, &files[0], sendfileDisabled: sendfileDisabled)
            if n > 0 {
                files[0].offset += n
                files[0].remaining -= n
                bufferedBytes -= n
            } else if n == 0 {
                return .failed(.lost("sendFile: the file ended \(files[0].remaining) bytes before the range did"))
            } else {
                let err = twister_errno()
                if err == EINTR { continue }
                if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock }
                #if os(Linux)
                if (err == EINVAL || err == ENOSYS) && !files[0].usePread {
                    files[0].usePread = true   // e.g. a descriptor sendfile cannot read from
                    continue
                }
                #endif
                return .failed(SocketCalls.connectionError(err, files[0].usePread ? "write" : "sendfile"))
            }
        }
        return .done
    }

    /// Removes the first file range (sent, or failed with the connection).
    mutating func popFirstFile() -> PendingFile { files.removeFirst() }

    /// One sendfile(2) (or pread + write) of the file range `f` to `sock`; bytes sent, 0 at end of file, or -1 (errno).
    private static func sendFileChunk(_ sock: Int32, _ f: inout PendingFile, sendfileDisabled: Bool) -> Int {
        #if os(Linux)
        if !f.usePread && !sendfileDisabled {
            var off = off_t(f.offset)
            return sendfile(sock, f.fd, &off, min(f.remaining, 0x7fff_f000))
        }
        #endif
        // Portable path: read a piece at the offset and write it; a partial write re-reads the rest next time.
        let piece = min(f.remaining, 64 * 1024)
        let file = f.fd, offset = f.offset
        return withUnsafeTemporaryAllocation(byteCount: piece, alignment: 16) { buf -> Int in
            var got = 0
            repeat { got = pread(file, buf.baseAddress, piece, off_t(offset)) } while got < 0 && twister_errno() == EINTR
            if got < 0 { return -1 }   // errno from pread
            if got == 0 { return 0 }
            return SystemCalls.write(sock, buf.baseAddress, got)
        }
    }

    /// Forgets the sent buffers once the whole queue went out (keeping the array's capacity).
    mutating func recycleSentBuffers() {
        queueBase += queue.count
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
    }

    /// Drops every queued buffer (abort, close); file ranges stay until ``removeAllFiles()``.
    mutating func dropBuffers() {
        queueBase += queue.count
        queue.removeAll()
        queueHead = 0
        bufferedBytes = 0
    }

    /// Removes every file range, for the transport to fail their completions.
    mutating func removeAllFiles() -> [PendingFile] {
        let pending = files
        files.removeAll()
        return pending
    }
}

/// A file range queued with ``StreamTransport/sendFile(_:offset:count:completion:)``.
struct PendingFile {
    let fd: Int32
    var offset: Int
    var remaining: Int
    /// Absolute index of the first buffer written after it: it goes out once every buffer before that is sent.
    let afterBuffer: Int
    let completion: (Result<Void, ConnectionError>) -> Void
    /// sendfile(2) refused this descriptor: use pread + write.
    var usePread = false
}
