import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// errno as a readable string, for error texts.
func errnoDescription(_ call: String, _ err: Int32 = twister_errno()) -> String {
    "\(call): \(String(cString: strerror(err))) (errno \(err))"
}
