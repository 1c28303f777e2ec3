/// Receives strings framed by a big-endian length prefix of ``prefixLength`` bytes (Twisted's
/// `basic.IntNStringReceiver`); use ``Int8StringReceiver``, ``Int16StringReceiver`` or ``Int32StringReceiver``.
///
/// Contract (reactor thread): each complete string goes to ``stringReceived(_:)`` in order, however the bytes
/// were chunked. An announced length over ``maxLength`` (default 99999) goes to ``lengthLimitExceeded(_:)``
/// (default: close) and nothing more is dispatched. ``sendString(_:)`` throws ``StringTooLongError`` when the
/// payload does not fit the prefix. While paused, strings wait in the buffer.
@ReactorActor
open class IntNStringReceiver: Protocol, Producer {
    /// Size of the length prefix in bytes (1, 2 or 4).
    public let prefixLength: Int
    /// The longest incoming string accepted.
    open var maxLength: Int = 99999
    public private(set) var paused = false

    private var buffer = ByteBuffer()
    private var busy = false
    private var dead = false

    public init(prefixLength: Int) {
        precondition([1, 2, 4].contains(prefixLength), "prefixLength must be 1, 2 or 4")
        self.prefixLength = prefixLength
        super.init()
    }

    /// Called with each complete string.
    open func stringReceived(_ string: ByteBuffer) {}

    /// Called when the peer announces a string longer than ``maxLength``. Default: close.
    open func lengthLimitExceeded(_ length: Int) { transport?.loseConnection() }

    /// Writes `string` with its length prefix; throws ``StringTooLongError`` if it does not fit the prefix.
    open func sendString(_ string: ByteBuffer) throws(StringTooLongError) {
        let n = string.readableBytes
        guard n < (1 << (8 * prefixLength)) else { throw StringTooLongError(length: n, prefixLength: prefixLength) }
        var b = ByteBuffer(capacity: n + prefixLength)
        for k in stride(from: prefixLength - 1, through: 0, by: -1) { b.writeByte(UInt8(truncatingIfNeeded: n >> (8 * k))) }
        b.writeImmutableBuffer(string)
        transport?.write(b)
    }

    public func sendString(_ string: String) throws(StringTooLongError) { try sendString(ByteBuffer(string: string)) }

    open func pauseProducing() { paused = true; transport?.pauseProducing() }
    open func resumeProducing() { paused = false; transport?.resumeProducing(); dataReceived(ByteBuffer()) }
    open func stopProducing() { paused = true; dead = true; transport?.stopProducing() }

    open override func dataReceived(_ data: ByteBuffer) {
        guard !dead else { return }
        buffer.writeImmutableBuffer(data)
        if busy { return }
        busy = true
        defer { busy = false }
        while !paused && !dead && buffer.readableBytes >= prefixLength {
            if transport?.disconnecting == true { return }
            var n = 0
            for k in 0..<prefixLength { n = n << 8 | Int(buffer.byte(atOffset: k)!) }
            if n > maxLength {
                dead = true
                buffer.clear()
                lengthLimitExceeded(n)
                return
            }
            guard buffer.readableBytes >= prefixLength + n else { return }
            buffer.moveReaderIndex(forwardBy: prefixLength)
            let s = buffer.readSlice(length: n)!
            stringReceived(s)
        }
    }
}

/// Strings with a 1-byte length prefix (at most 255 bytes).
@ReactorActor
open class Int8StringReceiver: IntNStringReceiver {
    public init() { super.init(prefixLength: 1) }
}

/// Strings with a 2-byte big-endian length prefix (at most 65535 bytes).
@ReactorActor
open class Int16StringReceiver: IntNStringReceiver {
    public init() { super.init(prefixLength: 2) }
}

/// Strings with a 4-byte big-endian length prefix (Twisted's `Int32StringReceiver`).
@ReactorActor
open class Int32StringReceiver: IntNStringReceiver {
    public init() { super.init(prefixLength: 4) }
}
