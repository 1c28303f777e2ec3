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

/// Thin wrappers over the socket calls the transports use. All return errors as ``ConnectionError`` values.
enum Socket {
    static func family(of address: Address) -> Int32 {
        switch address { case .ipv4: return AF_INET; case .ipv6: return AF_INET6; case .unix: return AF_UNIX }
    }

    static var streamType: Int32 {
        #if os(Linux)
        return Int32(SOCK_STREAM.rawValue)
        #else
        return SOCK_STREAM
        #endif
    }

    static var datagramType: Int32 {
        #if os(Linux)
        return Int32(SOCK_DGRAM.rawValue)
        #else
        return SOCK_DGRAM
        #endif
    }

    static func make(family: Int32, type: Int32) throws(ConnectionError) -> Int32 {
        let fd = twister_socket(family, type, 0)
        if fd < 0 { throw .socket(errnoDescription("socket")) }
        return fd
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var v = value
        return setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    static func getOption(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32 {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, level, name, &v, &len)
        return v
    }

    static func bind(_ fd: Int32, _ address: Address) throws(ConnectionError) {
        guard let sa = SocketAddress(address) else { throw .socket("bind: not a numeric address: \(address)") }
        let rc = sa.withSockaddr { Glibc_bind(fd, $0, $1) }
        if rc != 0 { throw .socket(errnoDescription("bind(\(address))")) }
    }

    static func localAddress(_ fd: Int32) -> Address? {
        var sa = SocketAddress()
        let rc = sa.withMutableSockaddr { getsockname(fd, $0, $1) }
        return rc == 0 ? sa.address : nil
    }

    static func peerAddress(_ fd: Int32) -> Address? {
        var sa = SocketAddress()
        let rc = sa.withMutableSockaddr { getpeername(fd, $0, $1) }
        return rc == 0 ? sa.address : nil
    }

    /// Sets SO_LINGER to 0 so that close() sends RST (used by abortConnection).
    static func setResetOnClose(_ fd: Int32) {
        var l = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    /// The end reason for a failed connect or I/O call's errno.
    static func connectionError(_ err: Int32, _ call: String) -> ConnectionError {
        switch err {
        case ECONNREFUSED: return .refused
        case ETIMEDOUT: return .timedOut
        case ECONNRESET, EPIPE, ENOTCONN, ECONNABORTED: return .lost(errnoDescription(call, err))
        default: return .socket(errnoDescription(call, err))
        }
    }

    /// True when `host` is an IPv4 or IPv6 literal.
    static func isIPLiteral(_ host: String) -> Address? {
        if SocketAddress(.ipv4(host: host, port: 0)) != nil { return .ipv4(host: host, port: 0) }
        if SocketAddress(.ipv6(host: host, port: 0)) != nil { return .ipv6(host: host, port: 0) }
        return nil
    }
}

@inline(__always)
private func Glibc_bind(_ fd: Int32, _ sa: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32 {
    #if canImport(Glibc)
    return Glibc.bind(fd, sa, len)
    #else
    return Darwin.bind(fd, sa, len)
    #endif
}

extension Address {
    /// The same address with another port (UNIX addresses are unchanged).
    func with(port: Int) -> Address {
        switch self {
        case .ipv4(let h, _): return .ipv4(host: h, port: port)
        case .ipv6(let h, _): return .ipv6(host: h, port: port)
        case .unix: return self
        }
    }
}

/// A NUL-terminated C buffer as a String.
func stringFromCBuffer(_ buf: [CChar]) -> String {
    String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
