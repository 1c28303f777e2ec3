/// Receives netstrings, `LEN:DATA,` (Twisted's `basic.NetstringReceiver`).
///
/// Contract (reactor thread): each complete string goes to ``stringReceived(_:)`` in order, however the bytes
/// were chunked. Every malformed form (an empty length, a leading zero as in `01:`, a non-digit, a length over
/// ``maxLength`` (default 99999) — detected as soon as its digits are seen —, or a byte other than `,` after
/// the data) sets ``brokenPeer`` and closes the connection; nothing is dispatched after that. Digits are read once.
@ReactorActor
open class NetstringReceiver: Protocol {
    /// The longest payload accepted.
    open var maxLength: Int = 99999
    /// True once the peer sent something malformed; further bytes are ignored.
    public private(set) var brokenPeer = false
    /// Why the peer was marked broken.
    public private(set) var brokenReason: String?

    private enum State { case length, data, comma }
    private var state = State.length
    private var buffer = ByteBuffer()
    private var digits = 0
    private var length = 0

    public override init() { super.init() }

    /// Called with each complete payload.
    open func stringReceived(_ string: ByteBuffer) {}

    /// Writes `string` as a netstring.
    open func sendString(_ string: ByteBuffer) {
        var b = ByteBuffer(capacity: string.readableBytes + 8)
        b.writeString(String(string.readableBytes))
        b.writeByte(UInt8(ascii: ":"))
        b.writeImmutableBuffer(string)
        b.writeByte(UInt8(ascii: ","))
        transport?.write(b)
    }

    public func sendString(_ string: String) { sendString(ByteBuffer(string: string)) }

    private func broken(_ why: String) {
        brokenPeer = true
        brokenReason = why
        buffer.clear()
        transport?.loseConnection()
    }

    open override func dataReceived(_ data: ByteBuffer) {
        guard !brokenPeer else { return }
        buffer.writeImmutableBuffer(data)
        let maxDigits = String(maxLength).count
        while !brokenPeer {
            if transport?.disconnecting == true { return }
            switch state {
            case .length:
                guard let c = buffer.byte(atOffset: 0) else { return }
                buffer.moveReaderIndex(forwardBy: 1)
                if c == UInt8(ascii: ":") {
                    if digits == 0 { return broken("empty length") }
                    if length > maxLength { return broken("length \(length) exceeds \(maxLength)") }
                    state = .data
                } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                    if digits == 1 && length == 0 { return broken("leading zero in length") }
                    digits += 1
                    length = length * 10 + Int(c - UInt8(ascii: "0"))
                    if digits > maxDigits || length > maxLength { return broken("length exceeds \(maxLength)") }
                } else {
                    return broken("non-digit \(c) in length")
                }
            case .data:
                guard buffer.readableBytes >= length else { return }
                let s = buffer.readSlice(length: length)!
                state = .comma
                pending = s
            case .comma:
                guard let c = buffer.byte(atOffset: 0) else { return }
                buffer.moveReaderIndex(forwardBy: 1)
                guard c == UInt8(ascii: ",") else { return broken("missing comma after data") }
                state = .length
                digits = 0
                length = 0
                let s = pending
                pending = ByteBuffer()
                stringReceived(s)
            }
        }
    }
    private var pending = ByteBuffer()
}
