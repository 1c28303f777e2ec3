import TwisterProtocols
import TwisterHTTP

/// Protocol upgrades (WebSocket and others): the request hands its connection to another protocol.
extension Request {
    /// Answers `101 Switching Protocols` (with the headers set so far, e.g. `Upgrade` and `Connection: Upgrade`)
    /// and hands the connection to `proto` (WebSocket and other upgrades).
    ///
    /// Contract: the request is finished (notifyFinish fires); the channel stops parsing HTTP, calls
    /// `proto.makeConnection(transport)`, delivers any bytes the client already sent after this request, and from
    /// then on forwards every read and the connection's end to `proto`. Idle timeouts stop applying. Only valid
    /// for the request currently being answered, before anything was written; otherwise it does nothing and
    /// returns false.
    @discardableResult
    public func switchProtocols(to proto: Protocol) -> Bool {
        guard let channel, channel.current === self, !startedWriting, !finished, !disconnected,
              channel.transport != nil else { return false }
        setResponseCode(101)
        send(makeHead(contentLength: nil, bodyHint: 0))
        finished = true
        site?.requestFinished(self)
        fireFinishWaiters()
        channel.switchProtocols(self, to: proto)
        return true
    }
}
