#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on 127.0.0.1 that refuses connections, for tests of connection-refused handling (Twisted's tests
/// bind a socket without listening for the same purpose).
///
/// Contract: while the value is alive, its socket holds the port bound without listening, so no other socket
/// can listen there and a connection to `127.0.0.1:port` fails at once with a refusal (a RST, `ECONNREFUSED`),
/// never a timeout. ``close()`` (or the release of the value) frees the port.
public final class RefusingPort {
    /// The refused port number.
    public let port: Int
    private var fd: Int32

    /// Binds a socket to a free port of 127.0.0.1 (without listening). Throws ``RefusingPortError`` when the
    /// system cannot create or bind one.
    public init() throws {
        #if canImport(Glibc)
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let s = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard s >= 0 else { throw RefusingPortError(step: "socket", errno: errno) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; _ = systemClose(s); throw RefusingPortError(step: "bind", errno: e) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) }
        }
        guard named == 0 else { let e = errno; _ = systemClose(s); throw RefusingPortError(step: "getsockname", errno: e) }
        fd = s
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Frees the port (idempotent).
    public func close() {
        if fd >= 0 { _ = systemClose(fd); fd = -1 }
    }

    deinit { close() }
}

/// Why a ``RefusingPort`` could not be made: the failing call and its errno.
public struct RefusingPortError: Error, CustomStringConvertible {
    public let step: String
    public let errno: Int32
    public var description: String { "RefusingPort: \(step) failed (errno \(errno))" }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}
