/// Literal template text, copied once into memory that lives as long as the compiled program, so appending it
/// to the output is a plain memcpy (appending a captured `[UInt8]` costs a retain/release per append).
final class StaticText: Sendable {
    // `nonisolated(unsafe)`: written only in init, read-only afterwards; freed in deinit.
    nonisolated(unsafe) private let bytes: UnsafeMutableBufferPointer<UInt8>

    init(_ source: [UInt8]) {
        bytes = .allocate(capacity: source.count)
        _ = bytes.initialize(from: source)
    }

    deinit {
        bytes.deallocate()
    }

    var count: Int { bytes.count }

    @inline(__always)
    func append(to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(bytes))
    }
}
