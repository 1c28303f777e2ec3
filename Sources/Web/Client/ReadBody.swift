import TwisterProtocols
import TwisterHTTP

/// Collects a whole response body (Twisted's `readBody`); for bodies small enough to hold in memory.
///
/// Contract: fires with the body once it ended with ``ResponseDone``. A body without a length that ended by
/// connection close fails with ``PartialDownloadError`` carrying what arrived; a cut or malformed body fails
/// with ``ResponseFailed``. Cancelling the Deferred abandons the body and aborts the connection.
@ReactorActor
public func readBody(_ response: AgentResponse) -> Deferred<ByteBuffer> {
    // The common small response was read whole before the caller saw it: no collector, no waiting chain.
    if let body = response.takeCompleteBody() { return Deferred.succeed(body) }
    let collector = BodyCollector(code: response.code)
    let d = Deferred<ByteBuffer>(canceller: { _ in
        collector.cancelled = true
        collector.transport?.stopProducing()
    })
    collector.done = d
    response.deliverBody(collector)
    return d
}

/// The protocol `readBody` delivers the body to.
@ReactorActor
final class BodyCollector: Protocol {
    var body = ByteBuffer()
    var done: Deferred<ByteBuffer>?
    var cancelled = false
    let code: Int

    init(code: Int) { self.code = code }

    override func dataReceived(_ data: ByteBuffer) {
        if body.isEmpty { body = data } else { body.writeImmutableBuffer(data) }
    }

    override func connectionLost(_ reason: Failure) {
        guard let d = done, !cancelled else { return }
        done = nil
        if reason.check(ResponseDone.self) {
            d.callback(body)
        } else if reason.check(PotentialDataLoss.self) {
            d.errback(PartialDownloadError(code: code, body: body))
        } else {
            d.errback(reason)
        }
    }
}
