import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// poll(2), available everywhere. Wake-ups through a self-pipe (an eventfd on Linux). Timer deadlines use ppoll's
/// nanosecond timeout on Linux (poll's milliseconds, rounded up, elsewhere), so a timer never fires early.
///
/// The pollfd array is kept dense: a map from fd to slot gives O(1) register, modify and remove (swap-remove).
final class PollSelector: Selector {
    private var fds: [pollfd] = []
    private var tags: [UInt64] = []
    private var slot: [Int32: Int] = [:]
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init() {
        #if os(Linux)
        let fd = twister_eventfd_create()
        precondition(fd >= 0, errnoDescription("eventfd"))
        wakeRead = fd; wakeWrite = fd
        #else
        var p: [Int32] = [0, 0]
        precondition(twister_pipe(&p) == 0, errnoDescription("pipe"))
        wakeRead = p[0]; wakeWrite = p[1]
        #endif
        fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
        tags.append(.max)
    }

    private func mask(_ i: Interest) -> Int16 {
        var m: Int16 = 0
        if i.contains(.read) { m |= Int16(POLLIN) }
        if i.contains(.write) { m |= Int16(POLLOUT) }
        return m
    }

    func register(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError) {
        if slot[fd] != nil { throw .socket("poll: fd \(fd) already registered") }
        slot[fd] = fds.count
        fds.append(pollfd(fd: fd, events: mask(interest), revents: 0))
        tags.append(tag)
    }

    func reregister(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError) {
        guard let i = slot[fd] else { throw .socket("poll: fd \(fd) not registered") }
        fds[i].events = mask(interest)
        tags[i] = tag
    }

    func deregister(fd: Int32) {
        guard let i = slot.removeValue(forKey: fd) else { return }
        let last = fds.count - 1
        if i != last {
            fds[i] = fds[last]; tags[i] = tags[last]
            slot[fds[i].fd] = i
        }
        fds.removeLast(); tags.removeLast()
    }

    func wait(deadline: Int64?, events: inout [ReadyEvent]) -> Int {
        var timeout: Int64 = -1
        if let deadline { timeout = max(0, deadline - twister_monotonic_ns()) }
        let n = fds.withUnsafeMutableBufferPointer { twister_poll_ns($0.baseAddress, UInt($0.count), timeout) }
        guard n > 0 else { return 0 }
        var out = 0
        let errMask = Int16(POLLERR | POLLHUP | POLLNVAL)
        for i in 0..<fds.count where fds[i].revents != 0 {
            let r = fds[i].revents
            fds[i].revents = 0
            if i == 0 {
                #if os(Linux)
                _ = twister_eventfd_drain(wakeRead)
                #else
                var buf = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &buf, 64) > 0 {}
                #endif
                continue
            }
            if out == events.count { events.append(ReadyEvent()) }
            events[out] = ReadyEvent(tag: tags[i], readable: r & Int16(POLLIN) != 0,
                                     writable: r & Int16(POLLOUT) != 0, hangup: r & errMask != 0)
            out += 1
        }
        return out
    }

    func wakeup() {
        #if os(Linux)
        _ = twister_eventfd_write(wakeWrite)
        #else
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
        #endif
    }

    func close() {
        #if canImport(Glibc)
        _ = Glibc.close(wakeRead)
        #else
        _ = Darwin.close(wakeRead)
        if wakeWrite != wakeRead { _ = Darwin.close(wakeWrite) }
        #endif
    }
}
