import Testing
@testable import TwisterProtocols
import TwisterTesting


/// Every way to deliver `bytes` that the framing tests check: whole, split in two at every boundary, split in
/// three at every pair of boundaries (for short inputs), and one byte at a time.
func everySplit(_ bytes: [UInt8]) -> [[ByteBuffer]] {
    var out: [[ByteBuffer]] = [[ByteBuffer(bytes: bytes)]]
    let n = bytes.count
    for i in 1..<max(1, n) {
        out.append([ByteBuffer(bytes: bytes[..<i]), ByteBuffer(bytes: bytes[i...])])
    }
    if n <= 40 {
        for i in 1..<max(1, n) {
            for j in (i + 1)..<max(i + 1, n) {
                out.append([ByteBuffer(bytes: bytes[..<i]), ByteBuffer(bytes: bytes[i..<j]), ByteBuffer(bytes: bytes[j...])])
            }
        }
    }
    out.append(bytes.map { ByteBuffer(bytes: [$0]) })
    return out
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
