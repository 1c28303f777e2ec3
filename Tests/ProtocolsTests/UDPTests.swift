import Testing
import Foundation
import TwisterTesting
@testable import TwisterProtocols

@ReactorActor
final class RecordingDatagram: DatagramProtocol {
    var received: [(String, Address)] = []
    var started = 0, stopped = 0, refused = 0
    override func startProtocol() { started += 1 }
    override func stopProtocol() { stopped += 1 }
    override func datagramReceived(_ data: ByteBuffer, from: Address) { received.append((String(buffer: data), from)) }
    override func connectionRefused() { refused += 1 }
}

@ReactorActor
final class DatagramEcho: DatagramProtocol {
    override func datagramReceived(_ data: ByteBuffer, from: Address) { transport?.write(data, to: from) }
}

@Suite struct UDPTests {
    @Test @ReactorActor func datagramsGoBothWaysWithTheSenderAddress() async throws {
        let server = try Reactor.shared.listenUDP(0, DatagramEcho(), interface: "127.0.0.1")
        defer { server.stopListening() }
        let client = RecordingDatagram()
        let port = try Reactor.shared.listenUDP(0, client, interface: "127.0.0.1")
        #expect(client.started == 1)
        #expect(port.write("one", to: server.host))
        #expect(port.write("two", to: server.host))
        try #require(try await eventually { client.received.count == 2 })
        #expect(client.received.map(\.0) == ["one", "two"])
        #expect(client.received[0].1 == server.host)
        port.stopListening()
        #expect(client.stopped == 1)
    }

    @Test @ReactorActor func connectedModeWritesToThePeerAndHearsRefusals() async throws {
        // A port that is closed again: datagrams to it draw ICMP port-unreachable.
        let closed = try Reactor.shared.listenUDP(0, RecordingDatagram(), interface: "127.0.0.1")
        let deadAddress = closed.host
        closed.stopListening()
        let client = RecordingDatagram()
        let port = try Reactor.shared.listenUDP(0, client, interface: "127.0.0.1")
        defer { port.stopListening() }
        try port.connect(to: deadAddress)
        #expect(port.connectedPeer == deadAddress)
        port.write("hello?")
        #expect(try await eventually {
            port.write("again?")
            return client.refused > 0
        })
    }

    @Test @ReactorActor func multicastJoinAndLeave() async throws {
        let proto = RecordingDatagram()
        let port = try Reactor.shared.listenUDP(0, proto)
        defer { port.stopListening() }
        do {
            try port.joinGroup("239.255.42.99")
        } catch {
            return // no multicast route in this sandbox; joining is what we can check
        }
        port.loopbackMode = true
        #expect(port.loopbackMode)
        port.ttl = 2
        #expect(port.ttl == 2)
        port.write("to the group", to: .ipv4(host: "239.255.42.99", port: port.host.port))
        _ = try await eventually(timeout: 0.5) { !proto.received.isEmpty }
        try port.leaveGroup("239.255.42.99")
        #expect(throws: ConnectionError.self) { try port.joinGroup("not-a-group") }
    }

    @Test(.enabled(if: TestDependency.ipv6Loopback, "needs an IPv6 loopback (::1)"))
    @ReactorActor func ipv6Datagrams() async throws {
        let server = try Reactor.shared.listenUDP(0, DatagramEcho(), interface: "::1")
        defer { server.stopListening() }
        let client = RecordingDatagram()
        let port = try Reactor.shared.listenUDP(0, client, interface: "::1")
        defer { port.stopListening() }
        port.write("v6", to: server.host)
        #expect(try await eventually { client.received.count == 1 })
    }
}
