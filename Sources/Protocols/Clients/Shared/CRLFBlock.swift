/// Reading a block of known length followed by CRLF, as memcached's `VALUE` data and Redis's bulk strings are
/// framed: what both clients' parsers do once they have parsed the length line.
enum CRLFBlock {
    /// What ``ByteBuffer/readCRLFBlock(length:)`` found.
    enum Read {
        /// Fewer than `length + 2` bytes are buffered; nothing was consumed.
        case needMore
        /// The `length` bytes are not followed by CRLF; nothing was consumed.
        case missingCRLF
        /// The block (a slice, no copy); it and its CRLF were consumed.
        case block(ByteBuffer)
    }
}

extension ByteBuffer {
    /// Takes `length` bytes and the CRLF after them, or says why not (nothing consumed then).
    @inline(__always)
    mutating func readCRLFBlock(length: Int) -> CRLFBlock.Read {
        guard readableBytes >= length + 2 else { return .needMore }
        guard byte(atOffset: length) == 13, byte(atOffset: length + 1) == 10 else { return .missingCRLF }
        let data = readSlice(length: length)!
        moveReaderIndex(forwardBy: 2)
        return .block(data)
    }
}
