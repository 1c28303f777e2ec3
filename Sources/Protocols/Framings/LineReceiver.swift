/// A protocol that receives lines, and can switch to raw data and back (Twisted's `basic.LineReceiver`).
///
/// Contract (all on the reactor thread):
/// - Incoming bytes are split on ``delimiter`` (default `\r\n`); each line, without its delimiter, goes to
///   ``lineReceived(_:)`` in order, however the bytes were chunked.
/// - A line longer than ``maxLength`` (default 16384), or a buffer that reaches `maxLength + delimiter.count`
///   bytes without a delimiter, goes to ``lineLengthExceeded(_:)`` with everything buffered (the default closes
///   the connection) and the buffer is emptied.
/// - ``setRawMode()`` makes the rest of the buffered and future bytes go to ``rawDataReceived(_:)``;
///   ``setLineMode(_:)`` switches back and re-parses the given leftover bytes as lines first.
/// - While paused (``pauseProducing()``), lines wait in the buffer and the transport stops reading;
///   ``resumeProducing()`` delivers them.
/// - Dispatch stops as soon as the transport reports it is disconnecting (``Transport/disconnecting``) or
///   ``stopDispatching()`` was called, e.g. from `lineReceived`.
/// - Data that arrives re-entrantly (a callback calling `dataReceived`) is only buffered; the outer loop parses it.
/// The buffer is scanned once: a partial line is never searched again from its start.
@ReactorActor
open class LineReceiver: Protocol, Producer {
    /// The line delimiter. Change it before data arrives (or between lines).
    open var delimiter: [UInt8] = [13, 10]
    /// The longest line accepted, in bytes, not counting the delimiter.
    open var maxLength: Int = 16384
    /// True in line mode, false in raw mode.
    public private(set) var lineMode = true
    /// True while paused by ``pauseProducing()``.
    public private(set) var paused = false

    private var buffer = ByteBuffer()
    /// How far into `buffer` no delimiter can start (already scanned).
    private var scanned = 0
    private var busyReceiving = false
    private var stopped = false

    public override init() { super.init() }

    // MARK: overridables

    /// Called with each complete line, without the delimiter.
    open func lineReceived(_ line: ByteBuffer) {}

    /// Called in raw mode with the bytes as they arrive.
    open func rawDataReceived(_ data: ByteBuffer) {}

    /// Called with the offending bytes when a line is too long. Default: close the connection.
    open func lineLengthExceeded(_ line: ByteBuffer) { transport?.loseConnection() }

    // MARK: API

    /// Writes `line` followed by the delimiter.
    open func sendLine(_ line: ByteBuffer) { transport?.write(ByteBuffer(line: line, delimiter: delimiter)) }

    /// Writes the UTF-8 bytes of `line` followed by the delimiter.
    public func sendLine(_ line: String) { sendLine(ByteBuffer(string: line)) }

    /// Switches to raw mode: buffered and future bytes go to ``rawDataReceived(_:)``.
    public func setRawMode() { lineMode = false }

    /// Switches to line mode; `extra` (bytes that followed the raw data) is parsed as lines before anything newer.
    public func setLineMode(_ extra: ByteBuffer = ByteBuffer()) {
        lineMode = true
        guard !extra.isEmpty else { return }
        if busyReceiving {
            // Called from rawDataReceived inside our loop: put the leftover in front of anything buffered since.
            var b = extra
            b.writeImmutableBuffer(buffer)
            buffer = b
            scanned = 0
        } else {
            dataReceived(extra)
        }
    }

    /// Empties the buffer and returns what was in it (Twisted's `clearLineBuffer`).
    @discardableResult
    public func clearLineBuffer() -> ByteBuffer {
        let b = buffer.readAll()
        scanned = 0
        return b
    }

    /// Stops delivering lines or raw data on this connection (for good).
    public func stopDispatching() { stopped = true }

    /// True when no more data should be dispatched.
    private var halted: Bool {
        if stopped { return true }
        if transport?.disconnecting == true { return true }
        return false
    }

    // MARK: Producer (pausing)

    /// Stops dispatching and stops the transport reading.
    open func pauseProducing() {
        paused = true
        transport?.pauseProducing()
    }

    /// Resumes reading and delivers the lines that waited.
    open func resumeProducing() {
        paused = false
        transport?.resumeProducing()
        dataReceived(ByteBuffer())
    }

    /// Stops for good and stops the transport.
    open func stopProducing() {
        paused = true
        stopped = true
        transport?.stopProducing()
    }

    // MARK: parsing

    open override func dataReceived(_ data: ByteBuffer) {
        buffer.writeImmutableBuffer(data)
        if busyReceiving { return }
        busyReceiving = true
        defer { busyReceiving = false }
        while !buffer.isEmpty && !paused && !halted {
            if lineMode {
                let delim = delimiter
                guard let i = buffer.firstIndex(of: delim, from: scanned) else {
                    if buffer.readableBytes >= maxLength + delim.count {
                        let all = clearLineBuffer()
                        lineLengthExceeded(all)
                        return
                    }
                    scanned = max(0, buffer.readableBytes - delim.count + 1)
                    return
                }
                scanned = 0
                if i > maxLength {
                    let all = clearLineBuffer()
                    lineLengthExceeded(all)
                    return
                }
                let line = buffer.readSlice(length: i)!
                buffer.moveReaderIndex(forwardBy: delim.count)
                lineReceived(line)
            } else {
                let data = buffer.readAll()
                scanned = 0
                rawDataReceived(data)
            }
        }
    }
}

extension ByteBuffer {
    /// `line` followed by `delimiter`, in one buffer (what the line protocols' `sendLine` writes).
    init(line: ByteBuffer, delimiter: [UInt8]) {
        self.init(capacity: line.readableBytes + delimiter.count)
        writeImmutableBuffer(line)
        writeBytes(delimiter)
    }
}
