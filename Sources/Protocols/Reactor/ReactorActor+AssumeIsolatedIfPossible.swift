extension ReactorActor {
    /// Runs `f` as reactor-isolated code from a timer callback: at once when on the reactor thread (the real
    /// reactor, or a reactor-isolated test driving a ``Clock``); otherwise it is scheduled onto the reactor.
    nonisolated static func assumeIsolatedIfPossible(_ f: @escaping @ReactorActor () -> Void) {
        if Reactor.shared.isInReactorThread {
            ReactorActor.assumeIsolated { f() }
        } else {
            // Safe: the closure is only ever run on the reactor actor (the Task is `@ReactorActor`), never
            // concurrently, and nothing else holds it.
            let s = UnsafeTransfer(f)
            Task(executorPreference: Reactor.shared) { @ReactorActor in s.value() }
        }
    }
}
