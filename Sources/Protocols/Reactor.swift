import Foundation
import CTwisterShim

/// PLACEHOLDER reactor: a job-queue thread so that ReactorActor code runs while the real epoll reactor is written.
/// It will be replaced wholesale.
public final class Reactor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    // Safe: all mutable state is guarded by `cond`.
    public static let shared = Reactor()
    private let cond = NSCondition()
    private var jobs: [UnownedJob] = []
    private let id: UInt64 = 1

    init() {
        let t = Thread { [self] in loop() }
        t.start()
    }

    public var isInReactorThread: Bool { twister_current_reactor_id() == id }

    public func enqueue(_ job: consuming ExecutorJob) {
        let u = UnownedJob(job)
        cond.lock(); jobs.append(u); cond.signal(); cond.unlock()
    }
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
    public func checkIsolated() { precondition(isInReactorThread) }
    public func isIsolatingCurrentContext() -> Bool? { isInReactorThread }

    private func loop() {
        twister_set_current_reactor_id(id)
        while true {
            cond.lock()
            while jobs.isEmpty { cond.wait() }
            let batch = jobs; jobs = []
            cond.unlock()
            for j in batch { j.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor()) }
        }
    }
}
