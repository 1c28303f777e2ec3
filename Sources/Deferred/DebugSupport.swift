#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writing diagnostics without buffering surprises.
enum FileOutput {
    static func stderr(_ text: String) {
        var t = text
        t.withUTF8 { buf in
            _ = write(2, buf.baseAddress, buf.count)
        }
    }
}

/// A short text of the caller's stack, for debug mode only.
enum CallStack {
    static func capture() -> String {
        let frames = Thread.callStackSymbols.dropFirst(3).prefix(6)
        return frames.joined(separator: " | ")
    }
}
