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

/// What a registered descriptor is waiting for.
struct Interest: OptionSet, Sendable {
    let rawValue: UInt8
    static let read = Interest(rawValue: 1)
    static let write = Interest(rawValue: 2)
}

/// One ready descriptor, as a selector reports it. `tag` is what was passed at registration (fd and generation).
struct ReadyEvent {
    var tag: UInt64 = 0
    var readable = false
    var writable = false
    /// Error or hang-up: the handler should read (to see EOF/the error) and then close.
    var hangup = false
}

/// A readiness multiplexer. Every method except ``wakeup()`` is called on the loop thread only.
///
/// Level-triggered: a descriptor that stays readable is reported again on the next wait.
protocol Selector: AnyObject {
    func register(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError)
    func reregister(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError)
    func deregister(fd: Int32)
    /// Blocks until an event, a wake-up, or `deadline` (absolute monotonic nanoseconds; nil: forever; a value in the
    /// past: do not block). Fills `events` (growing it when full) and returns how many it filled.
    func wait(deadline: Int64?, events: inout [ReadyEvent]) -> Int
    /// Interrupts a blocked ``wait(deadline:events:)``. The only thread-safe method.
    func wakeup()
    func close()
}

func makeSelector(_ kind: SelectorKind) -> any Selector {
    switch kind {
    #if os(Linux)
    case .epoll: return EpollSelector()
    #endif
    #if canImport(Darwin)
    case .kqueue: return KqueueSelector()
    #endif
    default: return PollSelector()
    }
}
