import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket address in C form, converted to and from ``Address``.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = socklen_t(MemoryLayout<sockaddr_storage>.size)

    init() {}

    /// A numeric address (IP literal or UNIX path); nil when `address`'s host is not an IP literal.
    init?(_ address: Address) {
        switch address {
        case .ipv4(let host, let port):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
            let h = host.isEmpty ? "0.0.0.0" : host
            guard inet_pton(AF_INET, h, &sin.sin_addr) == 1 else { return nil }
            withUnsafeBytes(of: sin) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        case .ipv6(let host, let port):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
            var h = host.isEmpty ? "::" : host
            if let pct = h.firstIndex(of: "%") {
                sin6.sin6_scope_id = UInt32(if_nametoindex(String(h[h.index(after: pct)...])))
                h = String(h[..<pct])
            }
            guard inet_pton(AF_INET6, h, &sin6.sin6_addr) == 1 else { return nil }
            withUnsafeBytes(of: sin6) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        case .unix(let path):
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let cap = MemoryLayout.size(ofValue: sun.sun_path)
            guard bytes.count < cap else { return nil }
            withUnsafeMutableBytes(of: &sun.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
                raw[bytes.count] = 0
            }
            withUnsafeBytes(of: sun) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
            length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + 1)
        }
    }

    var family: Int32 { Int32(storage.ss_family) }

    /// The address as an ``Address`` (nil for unknown families).
    var address: Address? {
        withUnsafeBytes(of: storage) { raw -> Address? in
            switch Int32(storage.ss_family) {
            case AF_INET:
                let sin = raw.load(as: sockaddr_in.self)
                var a = sin.sin_addr
                var buf = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count))
                return .ipv4(host: stringFromCBuffer(buf), port: Int(UInt16(bigEndian: sin.sin_port)))
            case AF_INET6:
                let sin6 = raw.load(as: sockaddr_in6.self)
                var a = sin6.sin6_addr
                var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count))
                return .ipv6(host: stringFromCBuffer(buf), port: Int(UInt16(bigEndian: sin6.sin6_port)))
            case AF_UNIX:
                let off = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
                let n = Int(length) - off
                guard n > 0 else { return .unix(path: "") }
                let bytes = raw[off..<(off + n)].prefix { $0 != 0 }
                return .unix(path: String(decoding: bytes, as: UTF8.self))
            default:
                return nil
            }
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }

    mutating func withMutableSockaddr<R>(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> R) -> R {
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutableBytes(of: &storage) { raw in
            withUnsafeMutablePointer(to: &length) { body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), $0) }
        }
    }
}
