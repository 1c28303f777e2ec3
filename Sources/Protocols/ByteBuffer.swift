/// Bytes, the one type that transports, parsers and responses share.
///
/// A contiguous, growable buffer with a read index: bytes are appended at the end (`write…`) and consumed from the
/// front (`read…`). Offsets given to the `get…`/`firstIndex` helpers are relative to the first readable byte, so a
/// parser can remember how far it has scanned and never rescan. Copy-on-write value semantics: copies are cheap
/// until one of them is mutated.
public struct ByteBuffer: Sendable, Hashable {
    @usableFromInline var storage: [UInt8]
    @usableFromInline var readerIndex: Int

    public init() { storage = []; readerIndex = 0 }
    public init(capacity: Int) { storage = []; storage.reserveCapacity(capacity); readerIndex = 0 }
    public init<S: Sequence>(bytes: S) where S.Element == UInt8 { storage = Array(bytes); readerIndex = 0 }
    public init(string: String) { storage = Array(string.utf8); readerIndex = 0 }

    /// Number of bytes not yet read.
    @inlinable public var readableBytes: Int { storage.count - readerIndex }
    @inlinable public var isEmpty: Bool { readerIndex == storage.count }

    /// The readable bytes, without copying.
    @inlinable public var readableBytesView: ArraySlice<UInt8> { storage[readerIndex...] }

    /// The byte `offset` bytes after the read index, or nil past the end.
    @inlinable public func getByte(at offset: Int) -> UInt8? {
        let i = readerIndex + offset
        return offset >= 0 && i < storage.count ? storage[i] : nil
    }

    /// Offset (from the read index) of the first `byte` at or after `from`, or nil.
    @inlinable public func firstIndex(of byte: UInt8, from: Int = 0) -> Int? {
        var i = readerIndex + from
        let end = storage.count
        while i < end {
            if storage[i] == byte { return i - readerIndex }
            i += 1
        }
        return nil
    }

    /// Offset of the first occurrence of `needle` at or after `from`, or nil.
    public func firstIndex(of needle: [UInt8], from: Int = 0) -> Int? {
        guard let first = needle.first else { return from <= readableBytes ? from : nil }
        var start = from
        while let i = firstIndex(of: first, from: start) {
            if i + needle.count > readableBytes { return nil }
            var match = true
            for k in 1..<needle.count where storage[readerIndex + i + k] != needle[k] { match = false; break }
            if match { return i }
            start = i + 1
        }
        return nil
    }

    /// Readable bytes in `offset..<offset+length` as an array, or nil if out of range (nothing is consumed).
    public func getBytes(at offset: Int, length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, offset + length <= readableBytes else { return nil }
        return Array(storage[(readerIndex + offset)..<(readerIndex + offset + length)])
    }

    /// Readable bytes in `offset..<offset+length` decoded as UTF-8 (invalid sequences repaired), or nil.
    public func getString(at offset: Int, length: Int) -> String? {
        guard offset >= 0, length >= 0, offset + length <= readableBytes else { return nil }
        return String(decoding: storage[(readerIndex + offset)..<(readerIndex + offset + length)], as: UTF8.self)
    }

    // MARK: writing

    @inlinable public mutating func writeBytes<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        compactIfWorthIt()
        storage.append(contentsOf: bytes)
    }
    @inlinable public mutating func writeByte(_ byte: UInt8) { storage.append(byte) }
    @inlinable public mutating func writeString(_ string: String) {
        compactIfWorthIt()
        storage.append(contentsOf: string.utf8)
    }
    /// Appends the readable bytes of `other` (other is not consumed).
    @inlinable public mutating func writeBuffer(_ other: ByteBuffer) {
        compactIfWorthIt()
        storage.append(contentsOf: other.readableBytesView)
    }

    // MARK: reading (consumes)

    /// Consumes `length` bytes, returning them; nil (nothing consumed) if fewer are readable.
    public mutating func readBytes(length: Int) -> [UInt8]? {
        guard let b = getBytes(at: 0, length: length) else { return nil }
        readerIndex += length
        return b
    }
    public mutating func readString(length: Int) -> String? {
        guard let s = getString(at: 0, length: length) else { return nil }
        readerIndex += length
        return s
    }
    /// Consumes `length` bytes as a new buffer.
    public mutating func readSlice(length: Int) -> ByteBuffer? {
        guard length >= 0, length <= readableBytes else { return nil }
        let s = ByteBuffer(bytes: storage[readerIndex..<(readerIndex + length)])
        readerIndex += length
        return s
    }
    /// Consumes every readable byte as a new buffer; self becomes empty.
    public mutating func readAll() -> ByteBuffer {
        if readerIndex == 0 { let s = self; self = ByteBuffer(); return s }
        return readSlice(length: readableBytes)!
    }
    /// Skips `count` bytes (clamped to what is readable).
    @inlinable public mutating func moveReaderIndex(forwardBy count: Int) {
        readerIndex = min(storage.count, readerIndex + max(0, count))
        if readerIndex == storage.count { storage.removeAll(keepingCapacity: true); readerIndex = 0 }
    }
    /// Drops the bytes already read, keeping capacity.
    public mutating func discardReadBytes() {
        if readerIndex > 0 { storage.removeFirst(readerIndex); readerIndex = 0 }
    }
    public mutating func clear() { storage.removeAll(keepingCapacity: true); readerIndex = 0 }

    @inlinable mutating func compactIfWorthIt() {
        if readerIndex > 0 {
            if readerIndex == storage.count { storage.removeAll(keepingCapacity: true); readerIndex = 0 }
            else if readerIndex >= 4096 && readerIndex * 2 >= storage.count { storage.removeFirst(readerIndex); readerIndex = 0 }
        }
    }

    /// Calls `body` with the readable bytes.
    @inlinable public func withUnsafeReadableBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[readerIndex...]))
        }
    }

    /// Appends up to `maxLength` bytes written by `body` into fresh capacity; `body` returns how many it wrote.
    public mutating func writeWithUnsafeMutableBytes(maxLength: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        compactIfWorthIt()
        let old = storage.count
        var written = 0
        storage.append(contentsOf: repeatElement(0, count: maxLength))
        defer { storage.removeLast(maxLength - written) }
        written = try storage.withUnsafeMutableBytes { raw in
            try body(UnsafeMutableRawBufferPointer(rebasing: raw[old..<(old + maxLength)]))
        }
        precondition(written >= 0 && written <= maxLength)
        return written
    }

    public static func == (a: ByteBuffer, b: ByteBuffer) -> Bool { a.readableBytesView.elementsEqual(b.readableBytesView) }
    public func hash(into h: inout Hasher) { h.combine(readableBytes); for b in readableBytesView { h.combine(b) } }
}

extension ByteBuffer: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(string: value) }
}

extension ByteBuffer: CustomStringConvertible {
    public var description: String { String(decoding: readableBytesView, as: UTF8.self) }
}

extension String {
    /// The readable bytes of `buffer` decoded as UTF-8 (invalid sequences repaired).
    public init(buffer: ByteBuffer) { self = String(decoding: buffer.readableBytesView, as: UTF8.self) }
}
