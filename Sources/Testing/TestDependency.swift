import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a test needs from the machine (a server, a program, a Python module), for Swift Testing's
/// `.enabled(if:)` conditions.
///
/// The rule (Docs/internals/design.md, Testing): a missing dependency skips the test through its condition, with a comment
/// naming the dependency, never by an early return. Under CI (`CI=true`) every condition is "enabled": the test
/// runs and fails with a message naming what is missing, so a CI run can never pass by skipping a real-server
/// test. `.ci/run` installs and starts everything.
public enum TestDependency {
    /// True when the environment says this is a CI run (`CI=true`, as GitHub Actions and `.ci/run` set).
    public static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The condition for a test that needs something: it is there, or this is CI (which must not skip).
    public static func required(_ present: Bool) -> Bool { present || underCI }

    /// The first of `paths` that is an executable file, or the program found on `PATH` under `name`.
    public static func executable(_ name: String, _ paths: String...) -> String? {
        if let p = paths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return p }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// `host:port` from `variable` (default `def`).
    public static func address(_ variable: String, default def: String) -> (String, Int) {
        let s = ProcessInfo.processInfo.environment[variable] ?? def
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]) else { return (s, 0) }
        return (String(s[..<colon]), port)
    }

    /// True when a TCP connection to the server named by `variable` (default `def`) succeeds at once (a blocking
    /// loopback connect; a host that is not an IPv4 address counts as present and the test decides).
    public static func tcpServer(_ variable: String, default def: String) -> Bool {
        let (host, port) = address(variable, default: def)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        guard inet_pton(AF_INET, host, &sin.sin_addr) == 1 else { return true }
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let r = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return r == 0
    }

    /// True when `python3 -c "import module"` succeeds.
    public static func pythonModule(_ module: String) -> Bool {
        guard let python = python3 else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import \(module)"]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// True when a TCP socket can be bound to the IPv6 loopback (::1); some containers have no IPv6. Not a
    /// server: CI does not force it.
    public static let ipv6Loopback: Bool = {
        #if canImport(Glibc)
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET6, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        guard inet_pton(AF_INET6, "::1", &sin6.sin6_addr) == 1 else { return false }
        return withUnsafePointer(to: &sin6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }()

    public static let python3 = executable("python3", "/usr/bin/python3")
    public static let curl = executable("curl", "/usr/bin/curl")
    public static let node = executable("node", "/usr/bin/node", "/usr/local/bin/node")
    public static let nginx = executable("nginx", "/usr/sbin/nginx", "/usr/bin/nginx")
    public static let h11 = pythonModule("h11")
    public static let memcached = tcpServer("TWISTER_MEMCACHED", default: "127.0.0.1:11211")
    public static let redis = tcpServer("TWISTER_REDIS", default: "127.0.0.1:6379")
}
