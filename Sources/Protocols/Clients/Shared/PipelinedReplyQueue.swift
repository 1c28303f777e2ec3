/// The requests of a pipelined client (memcached, Redis) that await their replies, oldest first, with the
/// client's reply timeout and its "abandon everything" rule. Both clients keep one as a stored property.
///
/// Contract (reactor thread):
/// - Requests are answered in the order they were sent: ``append(_:)`` at the back, ``popFirst()`` at the front.
/// - The timeout watches silence, not each request: the timer is armed when a request is queued while none was
///   (the idle spell ends), and is cancelled when the queue empties. ``noteActivity()`` records each received byte
///   batch without touching the timer (moving a timer per read cost a system call); when the timer fires early it
///   re-arms for what is left of ``timeout`` since the last activity. When ``timeout`` seconds pass with requests
///   pending and no byte received, the owner's `onTimeout` runs (the owner then calls ``abandon(_:)``).
/// - With no ``clock``, or ``timeout`` ≤ 0, there is no timeout.
/// - ``abandon(_:)`` records the first reason (``closedReason``: later calls must fail with it), cancels the timer
///   and hands back every pending request for the owner to fail. It never fires anything itself, so no callback
///   runs while the queue is being changed.
@ReactorActor
struct PipelinedReplyQueue<Element> {
    private var pending = FIFOQueue<Element>()
    /// Seconds of silence, with requests pending, before `onTimeout` runs.
    var timeout: Double
    /// The time source of the timeout (nil: no timeout).
    let clock: (any ReactorTime)?
    /// Run (on the reactor) when the timeout expires; set by the owner once it exists (a weak capture of it).
    var onTimeout: @ReactorActor @Sendable () -> Void = {}
    private var timer: (any DelayedCall)?
    /// When the last reply byte arrived (or the first request went out after an idle spell), on `clock`.
    private var lastActivity = 0.0
    /// Why the client stopped (set by the first ``abandon(_:)``); nil while it accepts requests.
    private(set) var closedReason: (any Error)?

    init(timeout: Double, clock: (any ReactorTime)?) {
        self.timeout = timeout
        self.clock = clock
    }

    /// Requests waiting for their reply.
    var count: Int { pending.count }
    var isEmpty: Bool { pending.isEmpty }

    /// The oldest request (the one the next reply answers); settable to update it in place.
    var first: Element? {
        get { pending.first }
        set { pending.first = newValue }
    }

    func contains(where predicate: (Element) -> Bool) -> Bool { pending.contains(where: predicate) }

    /// Queues a request sent on the wire; ends an idle spell (arms the timer).
    @inline(__always)
    mutating func append(_ e: Element) {
        pending.append(e)
        if timer == nil { armAfterIdle() }
    }

    /// Queues requests sent in one write, in order.
    mutating func append<S: Sequence>(contentsOf s: S) where S.Element == Element {
        pending.append(contentsOf: s)
        if timer == nil { armAfterIdle() }
    }

    /// Arms the timer if none runs and requests are pending (e.g. after queuing a connect handshake).
    mutating func armAfterIdle() {
        guard timer == nil, timeout > 0, let clock else { return }
        lastActivity = clock.seconds()
        arm(timeout)
    }

    /// Removes the request a complete reply answered; the timer stops when nothing is left.
    @inline(__always)
    mutating func popFirst() -> Element {
        let e = pending.popFirst()!
        if pending.isEmpty {
            timer?.cancel()
            timer = nil
        }
        return e
    }

    /// Bytes arrived: the silence the timeout measures starts again.
    @inline(__always)
    mutating func noteActivity() {
        if timer != nil, let clock { lastActivity = clock.seconds() }
    }

    /// Called by the owner when `onTimeout` runs: true when the timeout really expired (requests pending and
    /// `timeout` seconds of silence); otherwise re-arms for what is left, or stays idle, and returns false.
    mutating func timerFired() -> Bool {
        timer = nil
        guard !pending.isEmpty else { return false }
        if let clock {
            let quiet = clock.seconds() - lastActivity
            if quiet < timeout {
                arm(timeout - quiet)
                return false
            }
        }
        return true
    }

    /// Records `error` as the reason the client stopped (the first one wins), stops the timer and returns every
    /// pending request, oldest first, for the owner to fail.
    mutating func abandon(_ error: any Error) -> [Element] {
        if closedReason == nil { closedReason = error }
        timer?.cancel()
        timer = nil
        return pending.removeAll()
    }

    private mutating func arm(_ delay: Double) {
        guard let clock else { return }
        let f = onTimeout
        timer = clock.callLater(delay) { ReactorActor.assumeIsolatedIfPossible(f) }
    }
}
