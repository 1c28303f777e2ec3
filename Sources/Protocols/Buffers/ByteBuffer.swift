#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes, the one type that transports, parsers and responses share.
///
/// A contiguous buffer with a read index and a write index over shared, copy-on-write storage (as SwiftNIO's):
/// bytes are appended at the end (`write…`) and consumed from the front (`read…`). Offsets given to the
/// `…(atOffset:)` accessors and `firstIndex` are relative to the first readable byte (not absolute indices, which
/// is why they do not carry NIO's `get…(at:)` names), so a parser can remember how far it has scanned and never
/// rescan. The `read…`, `readableBytes`, `moveReaderIndex`, `discardReadBytes`, `clear` and
/// `writeImmutableBuffer` names mean what they mean in NIO. **Slices are cheap**: `readSlice`/`readAll`/
/// `slice(atOffset:length:)` share the storage and copy nothing; a buffer copies its bytes only when it is written
/// to while another buffer still shares its storage.
public struct ByteBuffer: Sendable, Hashable {
    /// Heap storage. Mutated only through a buffer that holds the only reference to it (copy on write).
    @usableFromInline
    final class Storage: @unchecked Sendable {
        // @unchecked Sendable: the bytes are written only by a ByteBuffer that has checked
        // isKnownUniquelyReferenced (or just made the storage); shared storage is only ever read.
        // No dynamic exclusivity check (about 77 instructions per access, 26 accesses per HTTP request): both are
        // replaced only by `grow`, on storage its ByteBuffer owns uniquely, in one short access.
        @exclusivity(unchecked) @usableFromInline var bytes: UnsafeMutableRawPointer
        @exclusivity(unchecked) @usableFromInline var capacity: Int

        @usableFromInline init(capacity: Int) {
            self.capacity = capacity
            bytes = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        }

        deinit { bytes.deallocate() }

        @usableFromInline func grow(to newCapacity: Int, keeping range: Range<Int>) {
            let n = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            if !range.isEmpty { n.advanced(by: range.lowerBound).copyMemory(from: bytes.advanced(by: range.lowerBound), byteCount: range.count) }
            bytes.deallocate()
            bytes = n
            capacity = newCapacity
        }

        @usableFromInline static let empty = Storage(capacity: 0)
    }

    @usableFromInline var storage: Storage
    /// Absolute index of the first readable byte in `storage`.
    @usableFromInline var readerIndex: Int
    /// Absolute index one past the last readable byte.
    @usableFromInline var writerIndex: Int

    public init() { storage = .empty; readerIndex = 0; writerIndex = 0 }
    public init(capacity: Int) {
        storage = capacity > 0 ? Storage(capacity: capacity) : .empty
        readerIndex = 0
        writerIndex = 0
    }
    public init<S: Sequence>(bytes: S) where S.Element == UInt8 {
        self.init()
        writeBytes(bytes)
    }
    public init(string: String) {
        self.init(capacity: string.utf8.count)
        writeString(string)
    }

    /// Number of bytes not yet read.
    @inlinable public var readableBytes: Int { writerIndex - readerIndex }
    @inlinable public var isEmpty: Bool { readerIndex == writerIndex }

    /// The readable bytes, without copying.
    @inlinable public var readableBytesView: ByteBufferView { ByteBufferView(self) }

    /// The byte `offset` bytes after the read index, or nil past the end. (Not NIO's `byte(atOffset:)`, whose
    /// argument is an absolute index: here every `…(atOffset:)` accessor counts from the first readable byte.)
    @inlinable public func byte(atOffset offset: Int) -> UInt8? {
        guard offset >= 0, offset < readableBytes else { return nil }
        return storage.bytes.load(fromByteOffset: readerIndex + offset, as: UInt8.self)
    }

    /// Offset (from the read index) of the first `byte` at or after `from`, or nil.
    @inlinable public func firstIndex(of byte: UInt8, from: Int = 0) -> Int? {
        let start = max(0, from)
        guard start < readableBytes else { return nil }
        guard let p = memchr(storage.bytes.advanced(by: readerIndex + start), Int32(byte), readableBytes - start) else { return nil }
        return storage.bytes.distance(to: UnsafeMutableRawPointer(p)) - readerIndex
    }

    /// Offset of the first occurrence of `needle` at or after `from`, or nil.
    public func firstIndex(of needle: [UInt8], from: Int = 0) -> Int? {
        guard let first = needle.first else { return from <= readableBytes ? from : nil }
        var start = from
        while let i = firstIndex(of: first, from: start) {
            if i + needle.count > readableBytes { return nil }
            let match = needle.withUnsafeBytes { n in memcmp(storage.bytes.advanced(by: readerIndex + i), n.baseAddress!, needle.count) == 0 }
            if match { return i }
            start = i + 1
        }
        return nil
    }

    /// Readable bytes in `offset..<offset+length` as an array, or nil if out of range (nothing is consumed).
    public func bytes(atOffset offset: Int, length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, offset + length <= readableBytes else { return nil }
        return [UInt8](UnsafeRawBufferPointer(start: storage.bytes.advanced(by: readerIndex + offset), count: length))
    }

    /// Readable bytes in `offset..<offset+length` decoded as UTF-8 (invalid sequences repaired), or nil.
    public func string(atOffset offset: Int, length: Int) -> String? {
        guard offset >= 0, length >= 0, offset + length <= readableBytes else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: storage.bytes.advanced(by: readerIndex + offset), count: length), as: UTF8.self)
    }

    /// Readable bytes in `offset..<offset+length` as a buffer sharing this one's storage, or nil.
    public func slice(atOffset offset: Int, length: Int) -> ByteBuffer? {
        guard offset >= 0, length >= 0, offset + length <= readableBytes else { return nil }
        var s = self
        s.readerIndex = readerIndex + offset
        s.writerIndex = s.readerIndex + length
        return s
    }

    // MARK: writing

    /// Makes room for `count` more bytes at the write index, copying the storage if it is shared.
    @inlinable mutating func reserveWritable(_ count: Int) {
        let needed = writerIndex + count
        if isKnownUniquelyReferenced(&storage) {
            if needed <= storage.capacity { return }
            if readerIndex == writerIndex {
                // Nothing readable: start again at 0.
                readerIndex = 0
                writerIndex = 0
                if count <= storage.capacity { return }
            } else if readerIndex >= 4096 && readerIndex * 2 >= writerIndex && readableBytes + count <= storage.capacity {
                // Mostly consumed: slide the readable bytes down instead of growing.
                storage.bytes.copyMemory(from: storage.bytes.advanced(by: readerIndex), byteCount: readableBytes)
                writerIndex -= readerIndex
                readerIndex = 0
                return
            }
            storage.grow(to: Swift.max(writerIndex + count, storage.capacity * 2, 64), keeping: readerIndex..<writerIndex)
        } else {
            let n = readableBytes
            let fresh = Storage(capacity: Swift.max(n + count, 64))
            if n > 0 { fresh.bytes.copyMemory(from: storage.bytes.advanced(by: readerIndex), byteCount: n) }
            storage = fresh
            readerIndex = 0
            writerIndex = n
        }
    }

    @inlinable public mutating func writeBytes<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buf in
            writeRaw(UnsafeRawBufferPointer(buf))
        }
        if done == nil {
            for b in bytes { writeByte(b) }
        }
    }

    /// Appends raw bytes.
    @inlinable public mutating func writeRaw(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        reserveWritable(raw.count)
        storage.bytes.advanced(by: writerIndex).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        writerIndex += raw.count
    }

    /// Appends a literal's bytes (no `static let` array, so no `swift_once` per use).
    @inlinable public mutating func writeStatic(_ s: StaticString) {
        writeRaw(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inlinable public mutating func writeByte(_ byte: UInt8) {
        reserveWritable(1)
        storage.bytes.storeBytes(of: byte, toByteOffset: writerIndex, as: UInt8.self)
        writerIndex += 1
    }

    @inlinable public mutating func writeString(_ string: String) {
        var s = string
        s.withUTF8 { writeRaw(UnsafeRawBufferPointer($0)) }
    }

    /// Appends (copies) the readable bytes of `other`; other is not consumed (NIO's `writeImmutableBuffer`; NIO's
    /// `writeImmutableBuffer(&other)` would consume it). It never adopts `other`'s storage: a
    /// long-lived buffer that did so would pin the reactor's 64 KiB read buffer (assign `self = other` to share
    /// on purpose, as a parser does for a value it hands out).
    @inlinable public mutating func writeImmutableBuffer(_ other: ByteBuffer) {
        other.withUnsafeReadableBytes { writeRaw($0) }
    }

    // MARK: reading (consumes)

    /// Consumes `length` bytes, returning them; nil (nothing consumed) if fewer are readable.
    public mutating func readBytes(length: Int) -> [UInt8]? {
        guard let b = bytes(atOffset: 0, length: length) else { return nil }
        readerIndex += length
        return b
    }
    public mutating func readString(length: Int) -> String? {
        guard let s = string(atOffset: 0, length: length) else { return nil }
        readerIndex += length
        return s
    }
    /// Consumes `length` bytes as a new buffer sharing this one's storage (no copy).
    public mutating func readSlice(length: Int) -> ByteBuffer? {
        guard let s = slice(atOffset: 0, length: length) else { return nil }
        readerIndex += length
        return s
    }
    /// Consumes every readable byte as a new buffer (no copy); self becomes empty.
    public mutating func readAll() -> ByteBuffer {
        let s = self
        readerIndex = writerIndex
        return s
    }
    /// Skips `count` bytes (clamped to what is readable, where NIO's traps on a move past the write index).
    @inlinable public mutating func moveReaderIndex(forwardBy count: Int) {
        readerIndex = Swift.min(writerIndex, readerIndex + Swift.max(0, count))
    }
    /// Drops the bytes already read (moves the readable bytes to the front of unshared storage).
    public mutating func discardReadBytes() {
        guard readerIndex > 0 else { return }
        if isKnownUniquelyReferenced(&storage) {
            if readableBytes > 0 {
                storage.bytes.copyMemory(from: storage.bytes.advanced(by: readerIndex), byteCount: readableBytes)
            }
            writerIndex -= readerIndex
            readerIndex = 0
        } else {
            self = ByteBuffer(bytes: readableBytesView)
        }
    }
    /// Empties the buffer, keeping its storage when no other buffer shares it.
    public mutating func clear() {
        if isKnownUniquelyReferenced(&storage) {
            readerIndex = 0
            writerIndex = 0
        } else {
            self = ByteBuffer(capacity: storage.capacity)
        }
    }

    /// Calls `body` with the readable bytes.
    @inlinable public func withUnsafeReadableBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.bytes.advanced(by: readerIndex), count: readableBytes))
    }

    /// Appends up to `maxLength` bytes written by `body` into fresh capacity (not zeroed); `body` returns how many
    /// it wrote (0 or a negative count, e.g. a failed `read`, writes nothing and is returned as is).
    @discardableResult
    public mutating func writeWithUnsafeMutableBytes(maxLength: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        reserveWritable(maxLength)
        let written = try body(UnsafeMutableRawBufferPointer(start: storage.bytes.advanced(by: writerIndex), count: maxLength))
        precondition(written <= maxLength, "wrote past the reserved space")
        if written > 0 { writerIndex += written }
        return written
    }

    public static func == (a: ByteBuffer, b: ByteBuffer) -> Bool {
        guard a.readableBytes == b.readableBytes else { return false }
        if a.readableBytes == 0 { return true }
        return memcmp(a.storage.bytes.advanced(by: a.readerIndex), b.storage.bytes.advanced(by: b.readerIndex), a.readableBytes) == 0
    }
    public func hash(into h: inout Hasher) {
        h.combine(readableBytes)
        withUnsafeReadableBytes { h.combine(bytes: $0) }
    }
}

extension ByteBuffer: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(string: value) }
}

extension ByteBuffer: CustomStringConvertible {
    public var description: String { withUnsafeReadableBytes { String(decoding: $0, as: UTF8.self) } }
}

extension String {
    /// The readable bytes of `buffer` decoded as UTF-8 (invalid sequences repaired).
    public init(buffer: ByteBuffer) { self = buffer.withUnsafeReadableBytes { String(decoding: $0, as: UTF8.self) } }
}
