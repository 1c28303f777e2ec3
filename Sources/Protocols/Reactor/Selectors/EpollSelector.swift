#if os(Linux)
import CTwisterShim
import Glibc

/// Level-triggered epoll, with an eventfd for wake-ups and a timerfd for sub-millisecond timer deadlines.
///
/// The timerfd is re-armed only when the earliest deadline changes, so a busy loop does not pay a syscall per tick.
final class EpollSelector: Selector {
    private let ep: Int32
    private let wakeFD: Int32
    private let timerFD: Int32
    // Loop thread only, short non-overlapping accesses: no dynamic exclusivity check (one per wait).
    @exclusivity(unchecked) private var armedDeadline: Int64 = 0
    @exclusivity(unchecked) private var raw: [twister_event] = Array(repeating: twister_event(), count: 64)

    private static let wakeTag: UInt64 = .max
    private static let timerTag: UInt64 = .max - 1

    init() {
        ep = twister_epoll_create()
        wakeFD = twister_eventfd_create()
        timerFD = twister_timerfd_create()
        precondition(ep >= 0 && wakeFD >= 0 && timerFD >= 0, errnoDescription("epoll/eventfd/timerfd"))
        _ = twister_epoll_ctl(ep, EPOLL_CTL_ADD, wakeFD, UInt32(EPOLLIN.rawValue), Self.wakeTag)
        _ = twister_epoll_ctl(ep, EPOLL_CTL_ADD, timerFD, UInt32(EPOLLIN.rawValue), Self.timerTag)
    }

    private func mask(_ i: Interest) -> UInt32 {
        var m: UInt32 = 0
        // RDHUP only with read interest: it is level-triggered and would spin a half-closed or paused socket.
        if i.contains(.read) { m |= UInt32(EPOLLIN.rawValue | EPOLLRDHUP.rawValue) }
        if i.contains(.write) { m |= UInt32(EPOLLOUT.rawValue) }
        return m
    }

    func register(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError) {
        if twister_epoll_ctl(ep, EPOLL_CTL_ADD, fd, mask(interest), tag) != 0 {
            throw .socket(errnoDescription("epoll_ctl(ADD)"))
        }
    }

    func reregister(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError) {
        if twister_epoll_ctl(ep, EPOLL_CTL_MOD, fd, mask(interest), tag) != 0 {
            throw .socket(errnoDescription("epoll_ctl(MOD)"))
        }
    }

    func deregister(fd: Int32) {
        _ = twister_epoll_ctl(ep, EPOLL_CTL_DEL, fd, 0, 0)
    }

    func wait(deadline: Int64?, events: inout [ReadyEvent]) -> Int {
        var timeout: Int32 = -1
        if let deadline {
            let now = twister_monotonic_ns()
            if deadline <= now {
                timeout = 0
            } else if deadline != armedDeadline {
                _ = twister_timerfd_set_abs(timerFD, deadline)
                armedDeadline = deadline
            }
        }
        let n = raw.withUnsafeMutableBufferPointer { twister_epoll_wait(ep, $0.baseAddress, Int32($0.count), timeout) }
        guard n > 0 else { return 0 }
        if events.count < Int(n) { events.append(contentsOf: repeatElement(ReadyEvent(), count: Int(n) - events.count)) }
        var out = 0
        let hupMask = UInt32(EPOLLERR.rawValue | EPOLLHUP.rawValue)
        let rdhup = UInt32(EPOLLRDHUP.rawValue)
        for i in 0..<Int(n) {
            let e = raw[i]
            if e.data == Self.wakeTag { _ = twister_eventfd_drain(wakeFD); continue }
            if e.data == Self.timerTag { _ = twister_timerfd_drain(timerFD); armedDeadline = 0; continue }
            events[out] = ReadyEvent(tag: e.data,
                                     readable: e.events & (UInt32(EPOLLIN.rawValue) | rdhup) != 0,
                                     writable: e.events & UInt32(EPOLLOUT.rawValue) != 0,
                                     hangup: e.events & hupMask != 0)
            out += 1
        }
        if Int(n) == raw.count && raw.count < 1024 { raw = Array(repeating: twister_event(), count: raw.count * 2) }
        return out
    }

    func wakeup() { _ = twister_eventfd_write(wakeFD) }

    func close() {
        _ = Glibc.close(ep); _ = Glibc.close(wakeFD); _ = Glibc.close(timerFD)
    }
}
#endif
