import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the socket(2) family of calls the transports use (socket, setsockopt/getsockopt, bind,
/// getsockname/getpeername, SO_LINGER, close). All return errors as ``ConnectionError`` values.
enum SocketCalls {
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
        let rc = sa.withSockaddr { SystemCalls.bind(fd, $0, $1) }
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

    /// True when something accepts connections on the UNIX socket at `path`.
    static func isUNIXSocketLive(_ path: String) -> Bool {
        guard let sa = SocketAddress(.unix(path: path)) else { return false }
        let fd = socket(AF_UNIX, SocketCalls.streamType, 0)
        guard fd >= 0 else { return false }
        defer { SocketCalls.close(fd) }
        return sa.withSockaddr { SystemCalls.connect(fd, $0, $1) } == 0
    }
}
