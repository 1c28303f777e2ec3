/// A lighter line protocol without raw mode or pausing (Twisted's `basic.LineOnlyReceiver`).
///
/// Contract (reactor thread): bytes are split on ``delimiter`` (default `\r\n`) and each line goes to
/// ``lineReceived(_:)`` in order, however the bytes were chunked. A line longer than ``maxLength`` (default
/// 16384), or an unterminated tail that can no longer fit (`maxLength + delimiter.count` bytes), goes to ``lineLengthExceeded(_:)`` (default: close) and
/// parsing stops for that chunk. Dispatch stops when the transport reports it is disconnecting.
@ReactorActor
open class LineOnlyReceiver: Protocol {
    open var delimiter: [UInt8] = [13, 10]
    open var maxLength: Int = 16384

    private var buffer = ByteBuffer()
    private var scanned = 0

    public override init() { super.init() }

    /// Called with each complete line, without the delimiter.
    open func lineReceived(_ line: ByteBuffer) {}

    /// Called with the offending line (or tail) when it is too long. Default: close the connection.
    open func lineLengthExceeded(_ line: ByteBuffer) { transport?.loseConnection() }

    /// Writes `line` followed by the delimiter.
    open func sendLine(_ line: ByteBuffer) { transport?.write(ByteBuffer(line: line, delimiter: delimiter)) }

    public func sendLine(_ line: String) { sendLine(ByteBuffer(string: line)) }

    open override func dataReceived(_ data: ByteBuffer) {
        buffer.writeImmutableBuffer(data)
        let delim = delimiter
        while let i = buffer.firstIndex(of: delim, from: scanned) {
            scanned = 0
            if transport?.disconnecting == true { return }
            let line = buffer.readSlice(length: i)!
            buffer.moveReaderIndex(forwardBy: delim.count)
            if i > maxLength {
                buffer.clear()
                lineLengthExceeded(line)
                return
            }
            lineReceived(line)
        }
        if buffer.readableBytes >= maxLength + delim.count {
            let tail = buffer.readAll()
            scanned = 0
            lineLengthExceeded(tail)
            return
        }
        scanned = max(0, buffer.readableBytes - delim.count + 1)
    }
}
