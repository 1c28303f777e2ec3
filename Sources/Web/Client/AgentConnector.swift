import TwisterProtocols
import TwisterHTTP

/// The seam through which the Agent opens connections (Twisted's endpoint factory): the reactor's TCP/UNIX
/// connector in production, an in-memory one in tests.
///
/// Contract: `connect` starts connecting `proto` to the destination of `key`; the Deferred fires once
/// `proto.makeConnection` has run, or fails with a ``ConnectionError`` (refused, timed out, DNS, …). Cancelling
/// the Deferred gives up the attempt (it then fails with `CancelledError`). `timeout` is the connect deadline in
/// seconds, if any.
@ReactorActor
public protocol AgentConnector: AnyObject {
    func connect(_ key: ConnectionKey, _ proto: Protocol, timeout: Double?) -> Deferred<Void>
}
