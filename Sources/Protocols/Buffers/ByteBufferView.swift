/// The readable bytes of a ``ByteBuffer`` as a collection (indices from 0), sharing its storage.
public struct ByteBufferView: RandomAccessCollection, Sendable {
    @usableFromInline let buffer: ByteBuffer
    @inlinable init(_ buffer: ByteBuffer) { self.buffer = buffer }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { buffer.readableBytes }
    @inlinable public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < buffer.readableBytes, "ByteBufferView index out of range")
        return buffer.storage.bytes.load(fromByteOffset: buffer.readerIndex + position, as: UInt8.self)
    }
    @inlinable public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try buffer.withUnsafeReadableBytes { raw in try body(raw.assumingMemoryBound(to: UInt8.self)) }
    }
}
