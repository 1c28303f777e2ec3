import Synchronization

/// Debugging and unhandled-error reporting for Deferreds (Twisted's `setDebugging` and the GC-time log).
///
/// Contract: when the last handle of a Deferred whose chain ended in an unconsumed failure is released, the
/// handler is called once with that failure (default: "Unhandled error in Deferred:" and the failure on
/// stderr). Debug mode records where each Deferred was created and first fired, and puts both into
/// ``AlreadyCalledError`` and the unhandled-error report.
public enum DeferredDebug {
    /// Called with the unhandled failure and, in debug mode, a text naming where it was created/fired.
    public typealias Handler = @Sendable (Failure, String?) -> Void

    private static let debugFlag = Atomic<Bool>(false)
    private static let handler = Mutex<Handler>(DeferredDebug.defaultHandler)

    /// Debug mode (off by default: it costs a call-stack capture per Deferred).
    public static var enabled: Bool {
        get { debugFlag.load(ordering: .relaxed) }
        set { debugFlag.store(newValue, ordering: .relaxed) }
    }

    /// Replaces the unhandled-error handler; returns the previous one.
    @discardableResult
    public static func setUnhandledErrorHandler(_ h: @escaping Handler) -> Handler {
        handler.withLock { old in let prev = old; old = h; return prev }
    }

    public static let defaultHandler: Handler = { failure, debug in
        var text = "Unhandled error in Deferred:\n"
        if let debug { text += "(debug: \(debug))\n" }
        text += "\(failure)\n"
        FileOutput.stderr(text)
    }

    @usableFromInline static func reportUnhandled(_ f: Failure, creator: String?, invoker: String?) {
        let h = handler.withLock { $0 }
        var debug: String? = nil
        if creator != nil || invoker != nil {
            debug = " I: \(invoker ?? "?") C: \(creator ?? "?")"
        }
        h(f, debug)
    }

    static func callSite() -> String {
        // A compact call stack is costly; record the frames' symbols only in debug mode.
        CallStack.capture()
    }
}

/// Reports `failure` through the unhandled-error hook and returns it (Twisted's `log.err` used as an errback).
@discardableResult
public func logError(_ failure: Failure) -> Failure {
    DeferredDebug.reportUnhandled(failure, creator: nil, invoker: nil)
    return failure
}
