#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes test fixtures to disk.
public enum FileWriter {
    /// Creates or truncates the file at `path` (mode 0644) and writes `content` whole; traps when it cannot.
    public static func write(_ path: String, _ content: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        let bytes = Array(content.utf8)
        #if canImport(Glibc)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        #else
        _ = bytes.withUnsafeBytes { Darwin.write(fd, $0.baseAddress, $0.count) }
        #endif
        close(fd)
    }
}
