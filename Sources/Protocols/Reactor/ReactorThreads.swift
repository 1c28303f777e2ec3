import CTwisterShim
import Dispatch
import Synchronization

/// Carries a value across threads when the program guarantees it is only used on the thread that made it
/// (here: a reactor-owned Deferred sent to a pool thread and back, touched only on the reactor thread).
struct UnsafeTransfer<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension Reactor {
    /// The thread pool, made on first use with at most 10 threads (Twisted's `getThreadPool`). Thread-safe.
    public var threadPool: ThreadPool {
        threadPoolStorage.withLock { p in
            if let p { return p }
            let made = ThreadPool(maxThreads: 10)
            p = made
            return made
        }
    }

    /// Sets the pool's maximum size (Twisted's `suggestThreadPoolSize`). Thread-safe.
    public func suggestThreadPoolSize(_ n: Int) { threadPool.maxThreads = n }

    /// Runs `f` on a pool thread (Twisted's `callInThread`). Thread-safe.
    public func callInThread(_ f: @escaping @Sendable () -> Void) { threadPool.callInThread(f) }

    /// Runs `f` on a pool thread; the returned Deferred fires on the reactor thread with its result or error
    /// (Twisted's `deferToThread`). Cancelling the Deferred does not stop `f`; its result is then dropped.
    @ReactorActor
    public func deferToThread<T: Sendable>(_ f: @escaping @Sendable () throws -> T) -> Deferred<T> {
        let d = Deferred<T>()
        let box = UnsafeTransfer(d)
        callInThread { [self] in
            let r = Result { try f() }
            self.callFromThread {
                let d = box.value
                guard !d.called else { return }
                switch r {
                case .success(let v): d.callback(v)
                case .failure(let e): d.errback(e)
                }
            }
        }
        return d
    }

    /// Runs `f` on the reactor thread and blocks the calling (non-reactor) thread until the Deferred it returns
    /// fires; returns its result or throws its ``Failure`` (Twisted's `blockingCallFromThread`).
    public func blockingCallFromThread<T: Sendable>(_ f: @escaping @Sendable @ReactorActor () -> Deferred<T>) throws -> T {
        precondition(!isInReactorThread, "blockingCallFromThread on the reactor thread would deadlock")
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, Failure>?>(nil)
        callFromThread {
            _ = f().addBoth { (r: Result<T, Failure>) -> Void in
                result.withLock { $0 = r }
                done.signal()
            }
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}

/// Names the calling thread for the OS (what `top -H`, gdb and /proc/<pid>/task/*/comm show), first thing
/// inside the thread: `Thread.name` set before `start()` does not reach the OS thread on Linux (the thread keeps
/// its creator's name). Linux keeps 15 bytes of the name.
func nameCurrentThread(_ name: String) {
    _ = twister_set_thread_name(name)
}
