import TwisterDeferred

/// Observes, without keeping it alive, whether a Deferred's chain has been released: for tests that check a
/// protocol or a cache does not hold on to the Deferreds it hands out (a leak), or that a cancelled operation
/// lets go of its Deferred.
///
/// Contract: the probe holds the chain weakly. ``isReleased`` becomes true once every handle onto the chain
/// (every `Deferred` value returned by its `add…` steps, every closure capturing one) is gone. Creating the probe
/// changes nothing about the Deferred's lifetime or its unhandled-error report.
public final class DeferredReleaseProbe {
    private weak var chain: AnyObject?

    /// A probe watching `deferred`'s chain.
    public init<Value>(_ deferred: Deferred<Value>) { chain = deferred.coreObject }

    /// True once nothing holds the chain any more.
    public var isReleased: Bool { chain == nil }
}
