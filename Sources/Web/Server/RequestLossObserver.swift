import TwisterProtocols

/// Told when the client of a request goes away before the response finished (see
/// ``Request/watchConnectionLoss(_:)``; a ``RequestHandler`` waiting on its verb method).
@ReactorActor
package protocol RequestLossObserver: AnyObject {
    func requestConnectionLost()
}
