#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One descriptor held in reserve (open on /dev/null) so a listening port can still accept-and-close when the
/// process runs out of descriptors (the libev/Tornado trick).
@ReactorActor
enum SpareDescriptor {
    static var fd: Int32 = -1
    static var available: Bool { fd >= 0 }
    static func ensure() {
        if fd < 0 { fd = open("/dev/null", O_RDONLY | O_CLOEXEC) }
    }
    static func release() -> Bool {
        guard fd >= 0 else { return false }
        SocketCalls.close(fd)
        fd = -1
        return true
    }
}
