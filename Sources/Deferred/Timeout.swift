extension Deferred {
    /// Cancels this Deferred if it has not fired `seconds` from now on `clock` (Twisted's `addTimeout`).
    ///
    /// Contract: only steps added before this call are covered. On timeout the Deferred is cancelled; the result
    /// then goes through `onTimeoutCancel(result, seconds)`, whose default turns a ``CancelledError`` into
    /// ``TimeoutError`` and passes anything else on (a canceller's own success or error survives). A manual
    /// cancel before the deadline keeps ``CancelledError``. The timer is cancelled when the Deferred fires.
    @discardableResult
    public func addTimeout(_ seconds: Double, clock: any ReactorTime,
                           onTimeoutCancel: ((Result<Value, Failure>, Double) throws -> Value)? = nil) -> Deferred<Value> {
        var timedOut = false
        let core = self.core
        let call = clock.callLater(seconds) {
            timedOut = true
            core.cancel()
        }
        return addBoth { (r: Result<Value, Failure>) throws -> Value in
            if timedOut {
                if let onTimeoutCancel { return try onTimeoutCancel(r, seconds) }
                switch r {
                case .success(let v): return v
                case .failure(let f):
                    if f.check(CancelledError.self) { throw TimeoutError(seconds: seconds) }
                    throw f
                }
            }
            return try r.get()
        }.addBoth { r in
            if call.active { call.cancel() }
            return try r.get()
        }
    }
}
