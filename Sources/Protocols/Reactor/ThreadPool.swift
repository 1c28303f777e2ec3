import Foundation

/// A pool of worker threads for blocking work (Twisted's `ThreadPool`), created lazily: a thread is started only
/// when work is queued and no idle thread can take it, up to ``maxThreads``. Threads then stay for the process's
/// life, waiting for work. Work items run in FIFO order of submission; with more than one thread they overlap.
public final class ThreadPool: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is read and written only with `cond` locked.
    private let cond = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private var max: Int
    private let name: String

    /// A pool that starts at most `maxThreads` threads (Twisted's default is 10).
    public init(maxThreads: Int = 10, name: String = "twister-pool") {
        self.max = Swift.max(1, maxThreads)
        self.name = name
    }

    /// The most threads the pool will start. Lowering it does not stop running threads.
    public var maxThreads: Int {
        get { cond.lock(); defer { cond.unlock() }; return max }
        set { cond.lock(); max = Swift.max(1, newValue); cond.unlock() }
    }

    /// Threads started so far.
    public var threadCount: Int { cond.lock(); defer { cond.unlock() }; return threads }

    /// Runs `f` on a pool thread. Thread-safe.
    public func callInThread(_ f: @escaping @Sendable () -> Void) {
        cond.lock()
        queue.append(f)
        let waiting = queue.count - head
        var spawn = false
        if waiting > idle && threads < max { threads += 1; spawn = true }
        if idle > 0 { cond.signal() }
        cond.unlock()
        if spawn {
            let t = Thread { [self] in self.work() }
            t.name = "\(name)-\(threadCount)"
            t.start()
        }
    }

    private func work() {
        while true {
            cond.lock()
            while head == queue.count {
                idle += 1
                cond.wait()
                idle -= 1
            }
            let f = queue[head]
            head += 1
            if head == queue.count { queue.removeAll(keepingCapacity: true); head = 0 }
            else if head > 1024 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            cond.unlock()
            f()
        }
    }
}
