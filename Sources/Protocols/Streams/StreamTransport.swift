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

    /// Where the connection is in its life: open, then (after `abortConnection()`) aborting until the end of
    /// the loop pass, then closed. `closed(afterAbort:)` remembers an abort for the reason late calls get.
    enum Phase: Equatable {
        case open
        case aborting
        case closed(afterAbort: Bool)
    }

    /// The write side: open, FIN asked for (`loseWriteConnection()`, sent once the queue drains), FIN sent.
    enum WriteSide { case open, shutdownRequested, shut }

    /// The descriptor's place in the selector. `hungUp`: deregistered after an error or hang-up while the
    /// protocol had reading paused (level-triggered HUP would spin the loop); registered again on resume.
    enum Registration { case none, registered, hungUp }

    /// The producer registered with this transport as a consumer, and whether a streaming one is paused.
    enum ProducerRegistration {
        case none
        case pull(any Producer)
        case streaming(any Producer, paused: Bool)
    }

    /// Conditions that vary independently of each other and of the enums above.
    struct Flags: OptionSet {
        let rawValue: UInt8
        /// `loseConnection()` was called: close once the queue has drained and no producer is registered.
        static let disconnecting = Flags(rawValue: 1 << 0)
        /// The protocol paused reading (`pauseProducing()`).
        static let readingPaused = Flags(rawValue: 1 << 1)
        /// The peer's EOF was read by a half-close protocol.
        static let readShut = Flags(rawValue: 1 << 2)
        /// A write would block: waiting for the socket to become writable.
        static let waitingWritable = Flags(rawValue: 1 << 3)
        /// `tickEnded()` is scheduled for this pass.
        static let flushScheduled = Flags(rawValue: 1 << 4)
    }

    // Stored vars are `@exclusivity(unchecked)`: they are touched only on the reactor thread (the class is
    // @ReactorActor), in short accesses that never overlap (no inout access spans a call back into a protocol,
    // a producer or a completion: `writes`' mutating methods make system calls only), and the dynamic check cost
    // about 77 instructions per access, 27 accesses per echoed message: a third of the user-space instructions of
    // a 64-byte ping-pong round trip (callgrind, 2026-11-27).
    let fd: Int32
    let reactor: Reactor
    @exclusivity(unchecked) private(set) var proto: Protocol?
    public let peer: Address
    public let host: Address
    private let isTCP: Bool

    /// The write queue: buffers and file ranges not yet sent.
    @exclusivity(unchecked) private var writes = PendingWrites()
    @exclusivity(unchecked) private var phase = Phase.open
    @exclusivity(unchecked) private var writeSide = WriteSide.open
    @exclusivity(unchecked) private var registration = Registration.none
    @exclusivity(unchecked) private var producer = ProducerRegistration.none
    @exclusivity(unchecked) private var flags: Flags = []
    // Off the per-message path (read once per file range, once per connection): checked as usual.
    /// Tests: send file ranges with the portable pread + write path even where sendfile(2) exists.
    var sendfileDisabled = false

    /// Called after `connectionLost` (connectors use it to tell their ClientFactory).
    var onLost: ((ConnectionError) -> Void)?

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
            registration = .registered
        } catch {
            phase = .closed(afterAbort: false)
            SocketCalls.close(fd)
            return
        }
        proto.makeConnection(self)
    }

    @inline(__always) private var isClosed: Bool { if case .closed = phase { return true } else { return false } }

    /// True while the connection is open (not yet closed by either side).
    public var isConnected: Bool { !isClosed }

    /// True once `loseConnection()` was called (Twisted's `disconnecting`).
    public var disconnecting: Bool { flags.contains(.disconnecting) }

    /// Bytes queued and not yet sent, file ranges queued with `sendFile` included (by what is not yet sent).
    public var bufferedBytes: Int { writes.bufferedBytes }

    /// True while new bytes may be queued: open, not closing, write side not shut.
    @inline(__always) private var acceptsWrites: Bool {
        phase == .open && !flags.contains(.disconnecting) && writeSide == .open
    }

    // MARK: Transport

    public func write(_ data: ByteBuffer) {
        guard acceptsWrites else { return }
        let n = data.readableBytes
        guard n > 0 else { return }
        writes.append(data)
        noteQueued()
    }

    @inline(__always)
    private func noteQueued() {
        if writes.bufferedBytes > Self.highWaterMark, case .streaming(let p, paused: false) = producer {
            producer = .streaming(p, paused: true)
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
        guard acceptsWrites else {
            let reason: ConnectionError
            switch phase {
            case .aborting, .closed(afterAbort: true): reason = .aborted
            case .closed: reason = .done
            case .open: reason = .lost("sendFile after loseConnection")
            }
            _ = reactor.callLater(0) { completion(.failure(reason)) }
            return
        }
        // A zero-byte range is still in order: it completes once the bytes before it are out.
        writes.appendFile(fd, offset: offset, count: max(count, 0), completion: completion)
        if count > 0 { noteQueued() } else { scheduleFlush() }
    }

    public func writeSequence(_ data: [ByteBuffer]) { for d in data { write(d) } }

    public func loseConnection() {
        guard phase == .open, !flags.contains(.disconnecting) else { return }
        flags.insert(.disconnecting)
        scheduleFlush()
    }

    public func abortConnection() {
        guard phase == .open else { return }
        phase = .aborting
        writes.dropBuffers()
        if registration == .registered { reactor.deregister(fd: fd); registration = .none }
        scheduleFlush()
    }

    public func loseWriteConnection() {
        guard phase == .open, writeSide == .open else { return }
        writeSide = .shutdownRequested
        scheduleFlush()
    }

    public var noDelay: Bool {
        get { isTCP && SocketCalls.getOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY) != 0 }
        set { if isTCP && !isClosed { _ = SocketCalls.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, newValue ? 1 : 0) } }
    }

    public var keepAlive: Bool {
        get { SocketCalls.getOption(fd, SOL_SOCKET, SO_KEEPALIVE) != 0 }
        set { if !isClosed { _ = SocketCalls.setOption(fd, SOL_SOCKET, SO_KEEPALIVE, newValue ? 1 : 0) } }
    }

    // MARK: Consumer

    public func registerProducer(_ producer: any Producer, streaming: Bool) {
        guard case .none = self.producer else { preconditionFailure("a producer is already registered with this transport") }
        if phase != .open { producer.stopProducing(); return }
        if streaming {
            let paused = writes.bufferedBytes > Self.highWaterMark
            self.producer = .streaming(producer, paused: paused)
            if paused { producer.pauseProducing() }
        } else {
            self.producer = .pull(producer)
            producer.resumeProducing()
        }
    }

    public func unregisterProducer() {
        producer = .none
        if flags.contains(.disconnecting) { scheduleFlush() }
    }

    // MARK: Producer (the transport as a producer of incoming data)

    /// Stops reading from the socket until ``resumeProducing()``.
    public func pauseProducing() {
        guard !isClosed, !flags.contains(.readingPaused) else { return }
        flags.insert(.readingPaused)
        updateInterest()
    }

    /// Starts reading again after ``pauseProducing()``.
    public func resumeProducing() {
        guard !isClosed, flags.contains(.readingPaused) else { return }
        flags.remove(.readingPaused)
        if registration == .hungUp {
            registration = (try? reactor.register(fd: fd, interest: .read, handler: self)) != nil ? .registered : .none
        }
        updateInterest()
    }

    /// Closes the connection (the consumer of this transport's data is gone).
    public func stopProducing() { loseConnection() }

    // MARK: loop callbacks

    private func updateInterest() {
        guard registration == .registered, !isClosed else { return }
        var i: Interest = []
        if !flags.contains(.readingPaused) && !flags.contains(.readShut) { i.insert(.read) }
        if flags.contains(.waitingWritable) { i.insert(.write) }
        reactor.setInterest(fd: fd, i)
    }

    @inline(__always)
    private func scheduleFlush() {
        guard !flags.contains(.flushScheduled) else { return }
        flags.insert(.flushScheduled)
        reactor.scheduleTickEnd(self)
    }

    func tickEnded() {
        flags.remove(.flushScheduled)
        switch phase {
        case .closed: return
        case .aborting: close(.aborted)
        case .open: if !flags.contains(.waitingWritable) { flush() }
        }
    }

    func handleIO(readable: Bool, writable: Bool, hangup: Bool) {
        guard phase == .open else { return }
        if writable { flags.remove(.waitingWritable); flush() }
        if isClosed { return }
        if readable && !flags.contains(.readingPaused) && !flags.contains(.readShut) {
            doRead()
        } else if hangup {
            // Error or hang-up while not reading: look at the socket error; otherwise stop watching until the
            // protocol resumes reading (level-triggered HUP would otherwise spin the loop).
            let err = SocketCalls.getOption(fd, SOL_SOCKET, SO_ERROR)
            if err != 0 {
                close(SocketCalls.connectionError(err, "socket"))
            } else if registration == .registered && !flags.contains(.waitingWritable) {
                reactor.deregister(fd: fd)
                registration = .hungUp
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
                if phase != .open || flags.contains(.readingPaused) || n < chunk { return }
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
            flags.insert(.readShut)
            updateInterest()
            p.readConnectionLost()
            if writeSide == .shut && !isClosed { close(.done) }
        } else {
            close(.done)
        }
    }

    private func flush() {
        while true {
            if writes.hasBuffersBeforeFirstFile {
                if writes.writeBuffers(to: fd) < 0 {
                    let err = twister_errno()
                    if err == EINTR { continue }
                    if err == EAGAIN || err == EWOULDBLOCK { waitForWritable(); return }
                    close(SocketCalls.connectionError(err, "write"))
                    return
                }
                continue
            }
            guard writes.hasFiles else { break }
            // The first pending file is at the head of the queue.
            switch writes.sendFirstFile(to: fd, sendfileDisabled: sendfileDisabled) {
            case .done:
                let f = writes.popFirstFile()
                f.completion(.success(()))
                // The completion may have written, queued another file, lost or aborted the connection.
                if phase != .open { return }
            case .wouldBlock:
                waitForWritable()
                return
            case .failed(let reason):
                close(reason)
                return
            }
        }
        writes.recycleSentBuffers()
        if flags.contains(.waitingWritable) { flags.remove(.waitingWritable); updateInterest() }
        switch producer {
        case .none: break
        case .pull(let p):
            p.resumeProducing()
            if writes.bufferedBytes > 0 { return }
        case .streaming(let p, paused: true):
            producer = .streaming(p, paused: false)
            p.resumeProducing()
            if writes.bufferedBytes > 0 { return }
        case .streaming(_, paused: false): break
        }
        // A producer's resumeProducing may have aborted or closed the connection.
        guard phase == .open else { return }
        if flags.contains(.disconnecting), case .none = producer {
            close(.done)
        } else if writeSide == .shutdownRequested {
            writeSide = .shut
            _ = shutdown(fd, Int32(SHUT_WR))
            proto?.writeConnectionLost()
            if flags.contains(.readShut) && !isClosed { close(.done) }
        }
    }

    private func waitForWritable() {
        flags.insert(.waitingWritable)
        updateInterest()
    }

    /// Closes the socket and delivers `connectionLost(reason)` (once).
    func close(_ reason: ConnectionError) {
        if isClosed { return }
        phase = .closed(afterAbort: phase == .aborting)
        if registration == .registered { reactor.deregister(fd: fd); registration = .none }
        if reason == .aborted && isTCP { SocketCalls.setResetOnClose(fd) }
        SocketCalls.close(fd)
        writes.dropBuffers()
        for f in writes.removeAllFiles() { f.completion(.failure(reason)) }
        switch producer {
        case .none: break
        case .pull(let p), .streaming(let p, _):
            producer = .none
            p.stopProducing()
        }
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
