/// Connects two protocols in memory and moves bytes between them on demand (Twisted's `iosim`/`loopback`).
///
/// Contract: `LoopbackPump.connect(client:server:)` makes both connections (server first, as a listening side
/// would). Nothing moves until ``pump()`` (one round: each side's written bytes are delivered to the other) or
/// ``flush()`` (rounds until both sides are quiet). A side's `loseConnection` is delivered after its bytes, as
/// `connectionLost(.done)` on both sides.
@ReactorActor
public final class LoopbackPump {
    public let client: Protocol
    public let server: Protocol
    public let clientTransport: StringTransport
    public let serverTransport: StringTransport

    private init(client: Protocol, server: Protocol) {
        self.client = client
        self.server = server
        clientTransport = StringTransport(peer: .ipv4(host: "127.0.0.1", port: 8080), host: .ipv4(host: "127.0.0.1", port: 40000))
        serverTransport = StringTransport(peer: .ipv4(host: "127.0.0.1", port: 40000), host: .ipv4(host: "127.0.0.1", port: 8080))
    }

    public static func connect(client: Protocol, server: Protocol) -> LoopbackPump {
        let p = LoopbackPump(client: client, server: server)
        p.serverTransport.connect(server)
        p.clientTransport.connect(client)
        return p
    }

    /// One round of delivery; returns true if any bytes or closes moved.
    @discardableResult
    public func pump() -> Bool {
        var moved = false
        let toServer = clientTransport.takeBytes()
        if !toServer.isEmpty { server.dataReceived(toServer); moved = true }
        let toClient = serverTransport.takeBytes()
        if !toClient.isEmpty { client.dataReceived(toClient); moved = true }
        if (clientTransport.disconnecting || serverTransport.disconnecting) && clientTransport.written.isEmpty && serverTransport.written.isEmpty {
            if client.connected || server.connected {
                let reason: ConnectionError = (clientTransport.aborted || serverTransport.aborted) ? .lost("aborted by peer") : .done
                clientTransport.finishLoss(clientTransport.aborted ? .aborted : reason)
                serverTransport.finishLoss(serverTransport.aborted ? .aborted : reason)
                moved = true
            }
        }
        return moved
    }

    /// Pumps until nothing moves (at most `limit` rounds).
    public func flush(limit: Int = 10_000) {
        var n = 0
        while pump() && n < limit { n += 1 }
    }
}
