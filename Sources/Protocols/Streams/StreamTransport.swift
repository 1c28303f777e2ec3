import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The transport of a connected TCP or UNIX stream socket (Twisted's `tcp.Connection`, `unix.Server`/`Client`).
///
/// Contract (all on the reactor thread):
/// - `write` queues bytes and never blocks; queued buffers go out with one `writev` at the end of the loop pass
///   in which they were written, then whenever the socket becomes writable again.
/// - A registered streaming producer is paused when more than ``highWaterMark`` bytes are queued and resumed
///   when the queue drains; a pull producer gets `resumeProducing()` at registration and each time it drains.
/// - `loseConnection()` closes once the queue is empty and no producer is registered (reason `.done`);
///   `abortConnection()` drops the queue, stops the producer and resets the connection (reason `.aborted`);
///   `loseWriteConnection()` sends FIN after the queue drains and keeps reading.
/// - Peer EOF: a protocol with `wantsHalfClose` gets `readConnectionLost()`; any other gets `connectionLost(.done)`.
/// - Errors end the connection with `.lost(…)`. `connectionLost` is never called from inside a transport call
///   made by the protocol: it comes from the loop (end of pass or an I/O event).
/// - ``sendFile(_:offset:count:completion:)`` queues a file range as one entry of the write queue: it goes out
///   with `sendfile(2)` after every byte written before it and before every byte written after it.
@ReactorActor
public final class StreamTransport: TCPTransport, FileSendingTransport, IOHandler, TickEndHandler {
    /// Bytes queued above which a streaming producer is paused (Twisted: 64 KiB).
    public static let highWaterMark = 64 * 1024

    // Stored vars are `@exclusivity(unchecked)`: they are touched only on the reactor thread (the class is
    // @ReactorActor), in short accesses that never overlap (no inout access spans a call back into a protocol),
    // and the dynamic check cost about 77 instructions per access, 27 accesses per echoed message: a third of
    // the user-space instructions of a 64-byte ping-pong round trip (callgrind, 2026-11-27).
    let fd: Int32
    let reactor: Reactor
    @exclusivity(unchecked) private(set) var proto: Protocol?
    public let peer: Address
    public let host: Address
    private let isTCP: Bool

    @exclusivity(unchecked) private var queue: [ByteBuffer] = []
    @exclusivity(unchecked) private var queueHead = 0
    /// Buffers dropped from the front of `queue` so far: `queueBase + i` is the absolute index of `queue[i]`.
    @exclusivity(unchecked) private var queueBase = 0
    /// File ranges queued with `sendFile`, in order; each goes out when the buffers before it are sent.
    @exclusivity(unchecked) private var files: [PendingFile] = []
    /// Bytes queued and not yet sent, file ranges queued with `sendFile` included (by what is not yet sent).
    @exclusivity(unchecked) public private(set) var bufferedBytes = 0
    /// Tests: send file ranges with the portable pread + write path even where sendfile(2) exists.
    @exclusivity(unchecked) var sendfileDisabled = false

    @exclusivity(unchecked) public private(set) var disconnecting = false
    @exclusivity(unchecked) private var writeShutdownRequested = false
    @exclusivity(unchecked) private var writeShut = false
    @exclusivity(unchecked) private var readShut = false
    @exclusivity(unchecked) private var closed = false
    @exclusivity(unchecked) private var aborting = false
    @exclusivity(unchecked) private var readingPaused = false
    @exclusivity(unchecked) private var waitingWritable = false
    @exclusivity(unchecked) private var flushScheduled = false
    @exclusivity(unchecked) private var registered = false
    @exclusivity(unchecked) private var hangupPending = false

    @exclusivity(unchecked) private var producer: (any Producer)?
    @exclusivity(unchecked) private var producerStreaming = false
    @exclusivity(unchecked) private var producerPaused = false

    /// Called after `connectionLost` (connectors use it to tell their ClientFactory).
    @exclusivity(unchecked) var onLost: ((ConnectionError) -> Void)?

    init(fd: Int32, reactor: Reactor, peer: Address, host: Address) {
        self.fd = fd
        self.reactor = reactor
        self.peer = peer
        self.host = host
        switch host { case .unix: isTCP = false; default: isTCP = true }
        if isTCP { _ = SocketCalls.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1) }
    }

    /// Registers with the reactor and connects `proto` (`makeConnection`, hence `connectionMade`).
    func start(_ proto: Protocol) {
        self.proto = proto
        do {
            try reactor.register(fd: fd, interest: .read, handler: self)
            registered = true
        } catch {
            closed = true
            SocketCalls.close(fd)
            return
        }
        proto.makeConnection(self)
    }

    /// True while the connection is open (not yet closed by either side).
    public var isConnected: Bool { !closed }

    // MARK: Transport

    public func write(_ data: ByteBuffer) {
        guard !closed, !aborting, !disconnecting, !writeShutdownRequested else { return }
        let n = data.readableBytes
        guard n > 0 else { return }
        if queue.count > queueHead, n < 16384, queue[queue.count - 1].readableBytes < 16384,
           files.last?.afterBuffer != queueBase + queue.count {
            queue[queue.count - 1].writeBuffer(data)
        } else {
            queue.append(data)
        }
        noteQueued(n)
    }

    private func noteQueued(_ n: Int) {
        bufferedBytes += n
        if producerStreaming, !producerPaused, bufferedBytes > Self.highWaterMark, let p = producer {
            producerPaused = true
            p.pauseProducing()
        }
        scheduleFlush()
    }

    /// Sends `count` bytes of the file `fd` from `offset`, without copying them through user space (sendfile(2)).
    ///
    /// Contract (reactor thread):
    /// - The range is queued as one entry of the write queue: it goes out after every byte written (or file queued)
    ///   before this call and before every byte written after it. The call never blocks: when the socket is full
    ///   the transport waits for writability and continues from where the kernel stopped.
    /// - Until it is sent, the range counts toward ``bufferedBytes`` (and so toward ``highWaterMark``) by the bytes
    ///   not yet sent: a registered streaming producer is paused while a large file is pending and resumed when
    ///   the queue, file included, has drained; a pull producer is asked for more only then.
    /// - `completion` is called exactly once, on the reactor thread, never from inside this call:
    ///   `.success` once all `count` bytes were handed to the kernel; `.failure` with the reason when the
    ///   connection ends first (`.aborted` after `abortConnection()`, or the socket error), when the transport was
    ///   already closing, or when the file ends before `offset + count` (`.lost`, and the connection is closed,
    ///   since the byte stream can no longer be what the peer was promised).
    /// - `loseConnection()` closes only after the range was sent; `loseWriteConnection()` sends FIN after it.
    /// - The caller owns `fd`: the transport never closes it; keep it open until `completion` runs.
    /// - Where sendfile(2) is missing (or refuses this descriptor, EINVAL/ENOSYS), the range is read with `pread`
    ///   in 64 KiB pieces and written with `write`, with the same ordering and completion rules.
    public func sendFile(_ fd: Int32, offset: Int, count: Int,
                         completion: @escaping (Result<Void, ConnectionError>) -> Void) {
        guard !closed, !aborting, !disconnecting, !writeShutdownRequested else {
            let reason: ConnectionError = aborting ? .aborted : closed ? .done : .lost("sendFile after loseConnection")
            _ = reactor.callLater(0) { completion(.failure(reason)) }
            return
        }
        guard count > 0 else {
            // Nothing to send, but still in order: complete once the bytes before it are out.
            files.append(PendingFile(fd: fd, offset: offset, remaining: 0, afterBuffer: queueBase + queue.count,
                                     completion: completion))
            scheduleFlush()
            return
        }
        files.append(PendingFile(fd: fd, offset: offset, remaining: count, afterBuffer: queueBase + queue.count,
                                 completion: completion))
        noteQueued(count)
    }

    public func writeSequence(_ data: [ByteBuffer]) { for d in data { write(d) } }

    public func loseConnection() {
        guard !closed, !aborting, !disconnecting else { return }
        disconnecting = true
        scheduleFlush()
    }

    public func abortConnection() {
        guard !closed, !aborting else { return }
        aborting = true
        dropQueue()
        if registered { reactor.deregister(fd: fd); registered = false }
        scheduleFlush()
    }

    public func loseWriteConnection() {
        guard !closed, !aborting, !writeShutdownRequested else { return }
        writeShutdownRequested = true
        scheduleFlush()
    }

    public var noDelay: Bool {
        get { isTCP && SocketCalls.getOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY) != 0 }
        set { if isTCP && !closed { _ = SocketCalls.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, newValue ? 1 : 0) } }
    }

    public var keepAlive: Bool {
        get { SocketCalls.getOption(fd, SOL_SOCKET, SO_KEEPALIVE) != 0 }
        set { if !closed { _ = SocketCalls.setOption(fd, SOL_SOCKET, SO_KEEPALIVE, newValue ? 1 : 0) } }
    }

    // MARK: Consumer

    public func registerProducer(_ producer: any Producer, streaming: Bool) {
        precondition(self.producer == nil, "a producer is already registered with this transport")
        if closed || aborting { producer.stopProducing(); return }
        self.producer = producer
        producerStreaming = streaming
        producerPaused = false
        if streaming {
            if bufferedBytes > Self.highWaterMark { producerPaused = true; producer.pauseProducing() }
        } else {
            producer.resumeProducing()
        }
    }

    public func unregisterProducer() {
        producer = nil
        producerPaused = false
        if disconnecting { scheduleFlush() }
    }

    // MARK: Producer (the transport as a producer of incoming data)

    /// Stops reading from the socket until ``resumeProducing()``.
    public func pauseProducing() {
        guard !closed, !readingPaused else { return }
        readingPaused = true
        updateInterest()
    }

    /// Starts reading again after ``pauseProducing()``.
    public func resumeProducing() {
        guard !closed, readingPaused else { return }
        readingPaused = false
        if hangupPending, !registered {
            hangupPending = false
            if (try? reactor.register(fd: fd, interest: .read, handler: self)) != nil { registered = true }
        }
        updateInterest()
    }

    /// Closes the connection (the consumer of this transport's data is gone).
    public func stopProducing() { loseConnection() }

    // MARK: loop callbacks

    private func updateInterest() {
        guard registered, !closed else { return }
        var i: Interest = []
        if !readingPaused && !readShut { i.insert(.read) }
        if waitingWritable { i.insert(.write) }
        reactor.setInterest(fd: fd, i)
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        reactor.scheduleTickEnd(self)
    }

    func tickEnded() {
        flushScheduled = false
        if closed { return }
        if aborting { close(.aborted); return }
        if !waitingWritable { flush() }
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) {
        if closed || aborting { return }
        if writable { waitingWritable = false; flush() }
        if closed { return }
        if readable && !readingPaused && !readShut {
            doRead()
        } else if hangup {
            // Error or hang-up while not reading: look at the socket error; otherwise stop watching until the
            // protocol resumes reading (level-triggered HUP would otherwise spin the loop).
            let err = SocketCalls.getOption(fd, SOL_SOCKET, SO_ERROR)
            if err != 0 {
                close(SocketCalls.connectionError(err, "socket"))
            } else if registered && !waitingWritable {
                reactor.deregister(fd: fd)
                registered = false
                hangupPending = true
            }
        }
    }

    private func doRead() {
        let chunk = Reactor.readChunkSize
        for _ in 0..<4 {
            // Read straight into the reactor's reusable buffer: no copy. If the protocol keeps the bytes it was
            // handed, `clear()` finds the storage shared and starts a fresh one next time.
            reactor.readBuffer.clear()
            let fd = self.fd
            let n = reactor.readBuffer.writeWithUnsafeMutableBytes(maxLength: chunk) { read(fd, $0.baseAddress, chunk) }
            if n > 0 {
                let data = reactor.readBuffer
                proto?.dataReceived(data)
                if closed || aborting || readingPaused || n < chunk { return }
            } else if n == 0 {
                readEOF()
                return
            } else {
                let err = twister_errno()
                if err == EAGAIN || err == EWOULDBLOCK { return }
                if err == EINTR { continue }
                close(SocketCalls.connectionError(err, "read"))
                return
            }
        }
    }

    private func readEOF() {
        if let p = proto, p.wantsHalfClose {
            readShut = true
            updateInterest()
            p.readConnectionLost()
            if writeShut && !closed { close(.done) }
        } else {
            close(.done)
        }
    }

    private func flush() {
        while true {
            // Buffers up to the first pending file (all of them when none is pending).
            let limit = files.isEmpty ? queue.count : files[0].afterBuffer - queueBase
            if queueHead < limit {
                let n = writeQueued(upTo: limit)
                if n < 0 {
                    let err = twister_errno()
                    if err == EINTR { continue }
                    if err == EAGAIN || err == EWOULDBLOCK { waitForWritable(); return }
                    close(SocketCalls.connectionError(err, "write"))
                    return
                }
                consume(n)
                continue
            }
            guard !files.isEmpty else { break }
            // The first pending file is at the head of the queue.
            switch sendHeadFile() {
            case .done:
                let f = files.removeFirst()
                f.completion(.success(()))
                // The completion may have written, queued another file, lost or aborted the connection.
                if closed || aborting { return }
            case .wouldBlock:
                waitForWritable()
                return
            case .failed(let reason):
                close(reason)
                return
            }
        }
        queueBase += queue.count
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
        if waitingWritable { waitingWritable = false; updateInterest() }
        if let p = producer {
            if !producerStreaming {
                p.resumeProducing()
                if bufferedBytes > 0 { return }
            } else if producerPaused {
                producerPaused = false
                p.resumeProducing()
                if bufferedBytes > 0 { return }
            }
        }
        if disconnecting && producer == nil && !closed {
            close(.done)
        } else if writeShutdownRequested && !writeShut && !closed {
            writeShut = true
            _ = shutdown(fd, Int32(SHUT_WR))
            proto?.writeConnectionLost()
            if readShut && !closed { close(.done) }
        }
    }

    private func waitForWritable() {
        waitingWritable = true
        updateInterest()
    }

    private enum FileSendResult { case done, wouldBlock, failed(ConnectionError) }

    /// Sends as much of `files[0]` as the socket takes.
    private func sendHeadFile() -> FileSendResult {
        while files[0].remaining > 0 {
            let n = sendFileChunk(&files[0])
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

    /// One sendfile(2) (or pread + write) of the file at the head; bytes sent, 0 at end of file, or -1 (errno).
    private func sendFileChunk(_ f: inout PendingFile) -> Int {
        #if os(Linux)
        if !f.usePread && !sendfileDisabled {
            var off = off_t(f.offset)
            return sendfile(fd, f.fd, &off, min(f.remaining, 0x7fff_f000))
        }
        #endif
        // Portable path: read a piece at the offset and write it; a partial write re-reads the rest next time.
        let piece = min(f.remaining, 64 * 1024)
        let sock = fd, file = f.fd, offset = f.offset
        return withUnsafeTemporaryAllocation(byteCount: piece, alignment: 16) { buf -> Int in
            var got = 0
            repeat { got = pread(file, buf.baseAddress, piece, off_t(offset)) } while got < 0 && twister_errno() == EINTR
            if got < 0 { return -1 }   // errno from pread
            if got == 0 { return 0 }
            return SystemCalls.write(sock, buf.baseAddress, got)
        }
    }

    /// Drops every queued buffer (abort); pending files stay until `close` fails their completions.
    private func dropQueue() {
        queueBase += queue.count
        queue.removeAll(); queueHead = 0; bufferedBytes = 0
    }

    /// One write/writev of up to 64 queued buffers before `limit`; returns bytes written or -1.
    private func writeQueued(upTo limit: Int) -> Int {
        let count = min(limit - queueHead, 64)
        let head = queueHead
        if count == 1 {
            return queue[head].withUnsafeReadableBytes { SystemCalls.write(fd, $0.baseAddress, $0.count) }
        }
        let bufs = queue[head..<(head + count)]
        let sock = self.fd
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { iovs -> Int in
            func fill(_ i: Int) -> Int {
                if i == count { return writev(sock, iovs.baseAddress, Int32(count)) }
                return bufs[head + i].withUnsafeReadableBytes { p -> Int in
                    iovs[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: p.baseAddress), iov_len: p.count)
                    return fill(i + 1)
                }
            }
            return fill(0)
        }
    }

    private func consume(_ written: Int) {
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

    /// Closes the socket and delivers `connectionLost(reason)` (once).
    func close(_ reason: ConnectionError) {
        guard !closed else { return }
        closed = true
        if registered { reactor.deregister(fd: fd); registered = false }
        if reason == .aborted && isTCP { SocketCalls.setResetOnClose(fd) }
        SocketCalls.close(fd)
        dropQueue()
        let pending = files
        files.removeAll()
        for f in pending { f.completion(.failure(reason)) }
        if let p = producer { producer = nil; p.stopProducing() }
        let p = proto
        proto = nil
        if let p {
            p.connected = false
            p.connectionLost(Failure(reason))
        }
        onLost?(reason)
        onLost = nil
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
