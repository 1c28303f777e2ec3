import TwisterProtocols

/// Incremental decoder of the chunked transfer coding (RFC 9112 §7.1): the one state machine (size line, data,
/// CRLF after the data, trailers) the server's body decoder and the client's response parser share.
///
/// Contract:
/// - ``next(_:)`` consumes from the front of `buffer` and returns the next event, or nil when more bytes are
///   needed. Between calls the caller may only append to `buffer` (bytes already scanned for a line end are
///   remembered, never rescanned). It never consumes a byte after the chunked body: once ``Event/end`` was
///   returned, what is left in `buffer` belongs to the next message, and further calls return nil.
/// - ``Event/data(_:)`` pieces are slices of `buffer` (no copy), handed over as soon as they arrive, partial
///   chunks too; their sizes add up to ``received``.
/// - Size lines are read by ``ChunkSizeLine`` with the policy's strictness. A line (size or trailer) is limited to
///   its bytes before the LF, a CR included; a line still incomplete counts every byte scanned. The trailer section
///   (every trailer line with its terminator and the final empty line) is limited as a whole.
/// - A chunk size above ``maxBodySize`` minus ``received`` is refused at its size line, before its data.
/// - Errors are ``Defect``s; each side maps them to its own errors. After a throw the decoder is unusable.
package struct ChunkedDecoder {
    /// The differences between the server's decoding (what clients send) and the client's (what servers send).
    package struct Policy: Sendable {
        /// True: CRLF (never a bare LF) ends a size line and follows the data, and the size line is read with
        /// ``ChunkSizeLine``'s strict rules. False: a bare LF is accepted there too, and size lines leniently.
        /// Trailer lines may end in LF or CRLF either way.
        package var strict: Bool
        /// The longest size line, in bytes before its LF.
        package var maxSizeLineLength: Int
        /// The longest trailer line, in bytes before its LF.
        package var maxTrailerLineLength: Int
        /// The largest trailer section, terminators and the final empty line included.
        package var maxTrailerSize: Int
        /// True: each trailer line is returned as ``Event/trailer(_:)`` for the caller to parse as a field line.
        /// False: trailer lines are only checked (field-value bytes only) and discarded.
        package var deliversTrailers: Bool

        package init(strict: Bool, maxSizeLineLength: Int, maxTrailerLineLength: Int, maxTrailerSize: Int,
                     deliversTrailers: Bool) {
            self.strict = strict
            self.maxSizeLineLength = maxSizeLineLength
            self.maxTrailerLineLength = maxTrailerLineLength
            self.maxTrailerSize = maxTrailerSize
            self.deliversTrailers = deliversTrailers
        }
    }

    /// What ``next(_:)`` found.
    package enum Event {
        /// Decoded body bytes (a slice of the input).
        case data(ByteBuffer)
        /// One trailer line without its terminator (only with ``Policy/deliversTrailers``).
        case trailer(ByteBuffer)
        /// The empty line after the last chunk's trailers: the body is complete.
        case end
    }

    /// What is wrong with the input.
    package enum Defect: Error, Equatable, Sendable {
        /// The size line (without its terminator) is not a valid size.
        case badSize(ChunkSizeLine.Defect, line: [UInt8])
        /// A size line longer than ``Policy/maxSizeLineLength``.
        case sizeLineTooLong
        /// Strict only: a size line ended by a bare LF.
        case sizeLineWithoutCR
        /// A chunk larger than ``ChunkedDecoder/maxBodySize`` allows.
        case chunkTooLarge
        /// Something other than CRLF (or, lenient, LF) after a chunk's data.
        case missingCRLFAfterData
        /// A trailer line longer than ``Policy/maxTrailerLineLength``.
        case trailerLineTooLong
        /// A trailer section larger than ``Policy/maxTrailerSize``.
        case trailersTooLarge
        /// A discarded trailer line held a byte no field line may hold.
        case badTrailer
    }

    enum State {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers
        case done
    }

    package let policy: Policy
    var state = State.size
    /// Bytes of the current, incomplete line already searched for its LF.
    var scanned = 0
    var trailerBytes = 0
    /// Body bytes decoded so far.
    package private(set) var received = 0
    /// The body-size limit, checked against each chunk size (no limit by default).
    package var maxBodySize = Int.max

    package init(policy: Policy) {
        self.policy = policy
    }

    /// True once ``Event/end`` was returned.
    package var isDone: Bool { if case .done = state { return true }; return false }

    /// The next event decoded from the front of `buffer`, or nil when more bytes are needed (or after the end).
    package mutating func next(_ buffer: inout ByteBuffer) throws(Defect) -> Event? {
        while true {
            switch state {
            case .data(let remaining):
                if buffer.isEmpty { return nil }
                let slice = buffer.readableBytes <= remaining ? buffer.readAll() : buffer.readSlice(length: remaining)!
                let left = remaining - slice.readableBytes
                received += slice.readableBytes
                state = left == 0 ? .dataEnd : .data(remaining: left)
                return .data(slice)
            case .dataEnd:
                guard let a = buffer.byte(atOffset: 0) else { return nil }
                if a == HTTPBytes.cr {
                    guard let b = buffer.byte(atOffset: 1) else { return nil }
                    if b != HTTPBytes.lf { throw .missingCRLFAfterData }
                    buffer.moveReaderIndex(forwardBy: 2)
                } else if a == HTTPBytes.lf && !policy.strict {
                    buffer.moveReaderIndex(forwardBy: 1)
                } else {
                    throw .missingCRLFAfterData
                }
                state = .size
            case .size:
                guard let lf = buffer.firstIndex(of: HTTPBytes.lf, from: scanned) else {
                    scanned = buffer.readableBytes
                    if scanned > policy.maxSizeLineLength { throw .sizeLineTooLong }
                    return nil
                }
                if lf > policy.maxSizeLineLength { throw .sizeLineTooLong }
                let strict = policy.strict
                let size = try buffer.withReadable { (raw) throws(Defect) -> Int in
                    var end = lf
                    if end > 0 && raw[end - 1] == HTTPBytes.cr { end -= 1 } else if strict { throw .sizeLineWithoutCR }
                    let line = UnsafeRawBufferPointer(rebasing: raw[0..<end])
                    switch ChunkSizeLine.parse(line, strict: strict) {
                    case .success(let size): return size
                    case .failure(let defect): throw .badSize(defect, line: Array(line))
                    }
                }
                buffer.moveReaderIndex(forwardBy: lf + 1)
                scanned = 0
                if size == 0 {
                    state = .trailers
                } else {
                    if size > maxBodySize - received { throw .chunkTooLarge }
                    state = .data(remaining: size)
                }
            case .trailers:
                guard let lf = buffer.firstIndex(of: HTTPBytes.lf, from: scanned) else {
                    scanned = buffer.readableBytes
                    if scanned > policy.maxTrailerLineLength { throw .trailerLineTooLong }
                    if trailerBytes + scanned > policy.maxTrailerSize { throw .trailersTooLarge }
                    return nil
                }
                scanned = 0
                if lf > policy.maxTrailerLineLength { throw .trailerLineTooLong }
                trailerBytes += lf + 1
                if trailerBytes > policy.maxTrailerSize { throw .trailersTooLarge }
                var end = lf
                if end > 0 && buffer.byte(atOffset: end - 1) == HTTPBytes.cr { end -= 1 }
                if end == 0 {
                    buffer.moveReaderIndex(forwardBy: lf + 1)
                    state = .done
                    return .end
                }
                if policy.deliversTrailers {
                    let line = buffer.readSlice(length: end)!
                    buffer.moveReaderIndex(forwardBy: lf + 1 - end)
                    return .trailer(line)
                }
                let valid = buffer.withUnsafeReadableBytes { raw in
                    for i in 0..<end where !HTTPBytes.isFieldValueByte(raw[i]) { return false }
                    return true
                }
                if !valid { throw .badTrailer }
                buffer.moveReaderIndex(forwardBy: lf + 1)
            case .done:
                return nil
            }
        }
    }
}
