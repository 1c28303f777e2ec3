import TwisterProtocols

/// Awaits `d` on the shared reactor, errbacking it with a ``TimeoutError`` naming `what` if it has not fired
/// after `timeout` seconds, so a test that waits on the network can fail but never hang. The timer is cancelled
/// as soon as the result is in. The default deadline is generous (30 s, as trial's is 120 s): a passing test
/// returns as soon as the result is in, and a loaded CI machine shares the reactor thread among many suites.
@ReactorActor
public func resultOf<T>(_ d: Deferred<T>, timeout: Double = 30, _ what: String = "Deferred") async throws -> T {
    let timer = Reactor.shared.callLater(timeout) {
        if !d.called { d.errback(TimeoutError(seconds: timeout, what: what)) }
    }
    defer { timer.cancel() }
    return try await d.value
}

/// Checks `condition` on the reactor thread, then every millisecond of reactor time, until it holds or `timeout`
/// seconds pass; returns whether it held. The reactor keeps serving in between.
@ReactorActor
public func eventually(timeout: Double = 30, _ condition: @ReactorActor () -> Bool) async throws -> Bool {
    let end = Reactor.shared.seconds() + timeout
    while !condition() {
        if Reactor.shared.seconds() > end { return false }
        let tick = Deferred<Void>()
        Reactor.shared.callLater(0.001) { tick.callback(()) }
        try await tick.value
    }
    return true
}
