import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The plain POSIX calls whose Swift names collide with methods of the types that make them (`write`, `listen`,
/// `connect`, `bind`): one wrapper each, the same on Glibc and Darwin, inlined so they cost nothing.
enum SystemCalls {
    /// `write(2)`.
    @inline(__always)
    static func write(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, p, n)
        #else
        return Darwin.write(fd, p, n)
        #endif
    }

    /// `listen(2)`.
    @inline(__always)
    static func listen(_ fd: Int32, _ backlog: Int32) -> Int32 {
        #if canImport(Glibc)
        return Glibc.listen(fd, backlog)
        #else
        return Darwin.listen(fd, backlog)
        #endif
    }

    /// `connect(2)`.
    @inline(__always)
    static func connect(_ fd: Int32, _ sa: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32 {
        #if canImport(Glibc)
        return Glibc.connect(fd, sa, len)
        #else
        return Darwin.connect(fd, sa, len)
        #endif
    }

    /// `bind(2)`.
    @inline(__always)
    static func bind(_ fd: Int32, _ sa: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32 {
        #if canImport(Glibc)
        return Glibc.bind(fd, sa, len)
        #else
        return Darwin.bind(fd, sa, len)
        #endif
    }
}
