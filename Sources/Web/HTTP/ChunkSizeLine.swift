import TwisterProtocols

/// The size line of one chunk of the chunked transfer coding (RFC 9112 §7.1), `chunk-size [ chunk-ext ]`: the
/// one parser the server's body decoder and the client's response parser share.
///
/// Contract: `line` is the line without its terminator (the caller finds the LF, and decides what a CR before it
/// must be). Sizes are 1 to 15 hex digits (no sign, no `0x`); a 16th digit is ``Defect/tooLarge``. After the size,
/// optional SP/HTAB, then either nothing or a `;` and extensions, which are checked and ignored. Two policies:
/// `strict` (the server, towards what clients send) allows extension bytes of visible ASCII, SP and HTAB only and
/// no whitespace without an extension; lenient (the client, towards what servers send) allows every field-value
/// byte (obs-text too) and trailing whitespace.
package enum ChunkSizeLine {
    /// What is wrong with a size line.
    package enum Defect: Error, Equatable, Sendable {
        /// No hex digit at the start.
        case noSize
        /// More than 15 hex digits.
        case tooLarge
        /// Something other than whitespace and a `;`-introduced extension after the size.
        case badAfterSize
        /// A byte an extension may not hold.
        case badExtension
    }

    /// The chunk size in `line`, or what makes it invalid.
    @inlinable package static func parse(_ line: UnsafeRawBufferPointer, strict: Bool) -> Result<Int, Defect> {
        var i = 0, size = 0
        while i < line.count, let h = HTTPBytes.hexValue(line[i]) {
            if i >= 15 { return .failure(.tooLarge) }
            size = size << 4 | h
            i += 1
        }
        if i == 0 { return .failure(.noSize) }
        var j = i
        while j < line.count && (line[j] == HTTPBytes.sp || line[j] == HTTPBytes.htab) { j += 1 }
        if j < line.count {
            if line[j] != 0x3B { return .failure(.badAfterSize) }
            while j < line.count {
                let c = line[j]
                let allowed = strict ? (c == HTTPBytes.htab || (c >= 0x20 && c < 0x7F)) : HTTPBytes.isFieldValueByte(c)
                if !allowed { return .failure(.badExtension) }
                j += 1
            }
        } else if j != i && strict {
            return .failure(.badAfterSize)
        }
        return .success(size)
    }
}
