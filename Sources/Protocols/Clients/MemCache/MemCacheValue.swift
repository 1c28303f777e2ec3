/// A value read from memcached: its bytes, the client flags stored with it and, for `gets`, its CAS id.
public struct MemCacheValue: Sendable, Equatable {
    public var flags: UInt32
    public var value: ByteBuffer
    /// The compare-and-set id (only when asked for with `gets`/`withCAS`).
    public var cas: UInt64?

    public init(flags: UInt32 = 0, value: ByteBuffer, cas: UInt64? = nil) {
        self.flags = flags
        self.value = value
        self.cas = cas
    }

    /// The value decoded as UTF-8.
    public var string: String { String(buffer: value) }
}
