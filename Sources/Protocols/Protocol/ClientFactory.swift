/// A factory for outgoing connections (Twisted's `ClientFactory`): told when attempts start, fail and end.
@ReactorActor
open class ClientFactory: Factory {
    open func startedConnecting(_ connector: any Connector) {}
    /// The attempt failed; `reason.error` is a ``ConnectionError`` (refused, timedOut, dnsLookupFailed, …).
    open func clientConnectionFailed(_ connector: any Connector, reason: Failure) {}
    /// An established connection ended.
    open func clientConnectionLost(_ connector: any Connector, reason: Failure) {}
}
