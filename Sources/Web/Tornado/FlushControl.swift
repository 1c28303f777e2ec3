import TwisterProtocols
import TwisterDeferred

/// Tracks whether the connection can take more output, for ``RequestHandler/flush()``'s Deferred.
@ReactorActor
final class FlushControl: Producer {
    // Unchecked: confined to the reactor thread; `release` fires the waiters from a copy.
    @exclusivity(unchecked) private var paused = false
    @exclusivity(unchecked) private var waiters: [Deferred<Void>] = []

    func wait() -> Deferred<Void> {
        if !paused { return Deferred.succeed(()) }
        let d = Deferred<Void>()
        waiters.append(d)
        return d
    }

    func pauseProducing() { paused = true }
    func resumeProducing() {
        paused = false
        release()
    }
    func stopProducing() { release() }

    func release() {
        let w = waiters
        waiters = []
        for d in w { d.callback(()) }
    }
}
