import Foundation

/// A client factory that reconnects with exponential back-off (Twisted's `ReconnectingClientFactory`).
///
/// After a failed attempt or a lost connection it waits ``delay`` seconds and calls `connector.connect()` again.
/// The delay starts at ``initialDelay`` (1 s), is multiplied by ``factor`` (e) on each retry, is capped at
/// ``maxDelay`` (3600 s) and is varied by a normal jitter of ``jitter`` (≈12 %) of itself. ``maxRetries`` (nil:
/// unlimited) bounds the retries. Call ``resetDelay()`` once a connection is up (typically in the protocol's
/// `connectionMade`), and ``stopTrying()`` to give up: it cancels the pending retry and any attempt in progress.
/// The timer comes from ``clock`` (the reactor by default; a `Clock` in tests).
@ReactorActor
open class ReconnectingClientFactory: ClientFactory {
    public var maxDelay: Double = 3600
    public var initialDelay: Double = 1.0
    public var factor: Double = 2.7182818284590451
    public var jitter: Double = 0.11962656472
    public var maxRetries: Int?
    /// The delay before the next retry.
    public private(set) var delay: Double = 1.0
    /// Retries since the last ``resetDelay()``.
    public private(set) var retries = 0
    public private(set) var continueTrying = true
    /// The timer source (inject a `Clock` in tests).
    public var clock: any ReactorTime = Reactor.shared
    /// A standard normal random number for the jitter (injectable for tests).
    public var normalRandom: () -> Double = {
        // Box-Muller.
        let u1 = Double.random(in: Double.ulpOfOne..<1), u2 = Double.random(in: 0..<1)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
    /// The connector of the last attempt.
    public private(set) var connector: (any Connector)?
    /// The pending retry, if any.
    public private(set) var pendingRetry: (any DelayedCall)?

    open override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        if continueTrying {
            self.connector = connector
            retry()
        }
    }

    open override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        if continueTrying {
            self.connector = connector
            retry()
        }
    }

    /// Schedules the next attempt (Twisted's `retry`).
    open func retry(_ connector: (any Connector)? = nil) {
        guard continueTrying, let connector = connector ?? self.connector else { return }
        retries += 1
        if let maxRetries, retries > maxRetries { return }
        delay = min(delay * factor, maxDelay)
        if jitter > 0 { delay = max(0, delay + delay * jitter * normalRandom()) }
        pendingRetry = clock.callLater(delay) { [weak self] in
            self?.pendingRetry = nil
            connector.connect()
        }
    }

    /// Gives up: cancels the pending retry and stops an attempt in progress.
    open func stopTrying() {
        pendingRetry?.cancel()
        pendingRetry = nil
        continueTrying = false
        connector?.stopConnecting()
    }

    /// Call once connected: the next failure starts again from ``initialDelay``.
    open func resetDelay() {
        delay = initialDelay
        retries = 0
        pendingRetry = nil
        continueTrying = true
    }
}
