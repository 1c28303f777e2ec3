#if canImport(Darwin)
import Darwin
import CTwisterShim

/// kqueue for BSD and macOS: level-triggered read/write filters (no EV_CLEAR), an EVFILT_USER event for
/// wake-ups, and the kevent timeout (nanoseconds) for timers.
///
/// Not built or tested on the Linux CI: compiled only where Darwin is available.
final class KqueueSelector: Selector {
    private let kq: Int32
    private var interests: [Int32: Interest] = [:]
    private var raw = [kevent](repeating: kevent(), count: 64)

    init() {
        kq = kqueue()
        precondition(kq >= 0, errnoDescription("kqueue"))
        var ev = kevent(ident: 0, filter: Int16(EVFILT_USER), flags: UInt16(EV_ADD | EV_CLEAR), fflags: 0, data: 0, udata: nil)
        _ = kevent(kq, &ev, 1, nil, 0, nil)
    }

    private func change(_ fd: Int32, _ filter: Int32, _ flags: Int32, _ tag: UInt64) throws(ConnectionError) {
        var ev = kevent(ident: UInt(fd), filter: Int16(filter), flags: UInt16(flags), fflags: 0, data: 0,
                        udata: UnsafeMutableRawPointer(bitPattern: UInt(tag)))
        if kevent(kq, &ev, 1, nil, 0, nil) < 0 && flags & Int32(EV_DELETE) == 0 {
            throw .socket(errnoDescription("kevent"))
        }
    }

    private func apply(_ fd: Int32, old: Interest, new: Interest, tag: UInt64) throws(ConnectionError) {
        for (bit, filter) in [(Interest.read, EVFILT_READ), (Interest.write, EVFILT_WRITE)] {
            if new.contains(bit) { try change(fd, filter, EV_ADD, tag) }
            else if old.contains(bit) { try change(fd, filter, EV_DELETE, tag) }
        }
        interests[fd] = new
    }

    func register(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError) {
        try apply(fd, old: [], new: interest, tag: tag)
    }

    func reregister(fd: Int32, interest: Interest, tag: UInt64) throws(ConnectionError) {
        try apply(fd, old: interests[fd] ?? [], new: interest, tag: tag)
    }

    func deregister(fd: Int32) {
        if let old = interests.removeValue(forKey: fd) { try? apply(fd, old: old, new: [], tag: 0); interests[fd] = nil }
    }

    func wait(deadline: Int64?, events: inout [ReadyEvent]) -> Int {
        var ts = timespec()
        var tsp: UnsafePointer<timespec>? = nil
        let n: Int32 = withUnsafeMutablePointer(to: &ts) { p in
            if let deadline {
                let delta = max(0, deadline - twister_monotonic_ns())
                p.pointee = timespec(tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
                tsp = UnsafePointer(p)
            }
            return raw.withUnsafeMutableBufferPointer { kevent(kq, nil, 0, $0.baseAddress, Int32($0.count), tsp) }
        }
        guard n > 0 else { return 0 }
        var out = 0
        for i in 0..<Int(n) {
            let e = raw[i]
            if e.filter == Int16(EVFILT_USER) { continue }
            if out == events.count { events.append(ReadyEvent()) }
            let tag = UInt64(UInt(bitPattern: e.udata))
            events[out] = ReadyEvent(tag: tag, readable: e.filter == Int16(EVFILT_READ),
                                     writable: e.filter == Int16(EVFILT_WRITE),
                                     hangup: e.flags & UInt16(EV_ERROR) != 0)
            out += 1
        }
        if Int(n) == raw.count && raw.count < 1024 { raw = [kevent](repeating: kevent(), count: raw.count * 2) }
        return out
    }

    func wakeup() {
        var ev = kevent(ident: 0, filter: Int16(EVFILT_USER), flags: 0, fflags: UInt32(NOTE_TRIGGER), data: 0, udata: nil)
        _ = kevent(kq, &ev, 1, nil, 0, nil)
    }

    func close() { _ = Darwin.close(kq) }
}
#endif
