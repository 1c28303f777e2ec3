import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which readiness multiplexer a ``Reactor`` uses (Twisted's `epollreactor`, `pollreactor`, `kqreactor`).
///
/// The shared reactor picks ``fromEnvironment()``: the `TWISTER_REACTOR` environment variable (`epoll`, `poll`,
/// `kqueue`) when set, otherwise the platform default (epoll on Linux, kqueue on BSD/macOS, poll elsewhere).
public enum SelectorKind: String, Sendable, CaseIterable {
    case epoll, poll, kqueue

    /// The kinds this build can run.
    public static var available: [SelectorKind] {
        #if os(Linux)
        return [.epoll, .poll]
        #elseif canImport(Darwin)
        return [.kqueue, .poll]
        #else
        return [.poll]
        #endif
    }

    /// The platform default.
    public static var platformDefault: SelectorKind { available[0] }

    /// `TWISTER_REACTOR` when set to an available kind, otherwise ``platformDefault``.
    public static func fromEnvironment() -> SelectorKind {
        if let raw = getenv("TWISTER_REACTOR"), let k = SelectorKind(rawValue: String(cString: raw).lowercased()),
           available.contains(k) {
            return k
        }
        return platformDefault
    }
}
