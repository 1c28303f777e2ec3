import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
