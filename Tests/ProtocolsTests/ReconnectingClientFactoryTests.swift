import Testing
@testable import TwisterProtocols
import TwisterTesting

@Suite struct ReconnectingClientFactoryTests {
    @ReactorActor
    final class Reconnecting: ReconnectingClientFactory {
        override func buildProtocol(_ addr: Address) -> Protocol? { RecordingProtocol() }
    }

    @Test @ReactorActor func retriesWithExponentialBackoffCappedAtMaxDelay() {
        let r = MemoryReactor()
        let f = Reconnecting()
        f.clock = r.clock
        f.jitter = 0
        f.maxDelay = 20
        let c = r.connectTCP(host: "h", port: 1, factory: f) as! FakeConnector
        var delays: [Double] = []
        for _ in 0..<5 {
            c.fail(.refused)
            delays.append(f.delay)
            #expect(f.pendingRetry != nil)
            r.advance(f.delay)
            #expect(c.state == .connecting)
        }
        #expect(abs(delays[0] - 2.718281828) < 1e-6)
        #expect(abs(delays[1] - 7.389056099) < 1e-6)
        #expect(delays[2] == 20 && delays[4] == 20)
        #expect(c.connectCalls == 6)
        #expect(f.retries == 5)
    }

    @Test @ReactorActor func jitterVariesTheDelay() {
        let r = MemoryReactor()
        let f = Reconnecting()
        f.clock = r.clock
        f.normalRandom = { 1.0 }
        let c = r.connectTCP(host: "h", port: 1, factory: f) as! FakeConnector
        c.fail(.refused)
        #expect(abs(f.delay - 2.718281828 * (1 + 0.11962656472)) < 1e-6)
    }

    @Test @ReactorActor func resetDelayStartsOverAfterAConnection() {
        let r = MemoryReactor()
        let f = Reconnecting()
        f.clock = r.clock
        f.jitter = 0
        let c = r.connectTCP(host: "h", port: 1, factory: f) as! FakeConnector
        c.fail(.refused); r.advance(f.delay)
        c.fail(.timedOut); r.advance(f.delay)
        #expect(f.retries == 2)
        c.succeed()
        f.resetDelay()
        #expect(f.delay == 1 && f.retries == 0)
        c.lose(.lost("reset"))
        #expect(abs(f.delay - 2.718281828) < 1e-6)
    }

    @Test @ReactorActor func stopTryingCancelsThePendingRetry() {
        let r = MemoryReactor()
        let f = Reconnecting()
        f.clock = r.clock
        let c = r.connectTCP(host: "h", port: 1, factory: f) as! FakeConnector
        c.fail(.refused)
        f.stopTrying()
        r.advance(10_000)
        #expect(c.connectCalls == 1)
        #expect(!f.continueTrying)
    }

    @Test @ReactorActor func maxRetriesBoundsTheAttempts() {
        let r = MemoryReactor()
        let f = Reconnecting()
        f.clock = r.clock
        f.maxRetries = 2
        let c = r.connectTCP(host: "h", port: 1, factory: f) as! FakeConnector
        for _ in 0..<5 { c.fail(.refused); r.advance(10_000) }
        #expect(c.connectCalls == 3)
    }

    @Test @ReactorActor func reconnectsToARealServer() async throws {
        let server = TestServerFactory()
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let f = Reconnecting()
        f.initialDelay = 0.001
        f.resetDelay()
        f.factor = 1
        f.jitter = 0
        let c = Reactor.shared.connectTCP(host: "127.0.0.1", port: n, factory: f)
        #expect(try await eventually { server.built.count == 1 })
        let s = try await server.first()
        #expect(try await eventually { s.connected })
        s.transport?.loseConnection()
        #expect(try await eventually { server.built.count == 2 })
        f.stopTrying()
        c.disconnect()
    }
}

@Suite struct MemoryReactorTests {
    @Test @ReactorActor func recordsListenAndConnectCalls() throws {
        let r = MemoryReactor()
        let sf = Factory { EchoProtocol() }
        let port = try r.listenTCP(8080, sf, backlog: 10, interface: "127.0.0.1")
        #expect(r.tcpServers.count == 1 && r.tcpServers[0].port == 8080 && r.tcpServers[0].backlog == 10)
        #expect(port.host == .ipv4(host: "127.0.0.1", port: 8080))
        let cf = TestClientFactory()
        let c = r.connectTCP(host: "example.com", port: 443, factory: cf, timeout: 7)
        #expect(r.tcpClients[0].host == "example.com" && r.tcpClients[0].port == 443 && r.tcpClients[0].timeout == 7)
        #expect(cf.started == 1)
        #expect(c.destination == .ipv4(host: "example.com", port: 443))
        _ = try r.listenUNIX("/tmp/m.sock", sf, backlog: 5, mode: 0o600)
        #expect(r.unixServers[0].mode == 0o600)
        _ = r.connectUNIX("/tmp/m.sock", cf)
        #expect(r.unixClients.count == 1)
    }

    @Test @ReactorActor func succeedingAConnectionConnectsTheProtocolToAStringTransport() {
        let r = MemoryReactor()
        let cf = TestClientFactory()
        _ = r.connectTCP(host: "h", port: 1, factory: cf)
        let p = r.succeedConnection() as! RecordingProtocol
        #expect(p.connected)
        p.transport?.write("hi")
        #expect((p.transport as! StringTransport).take() == "hi")
        r.connectors[0].lose()
        #expect(cf.losses == [.done])
    }

    @Test @ReactorActor func failingAConnectionTellsTheFactory() {
        let r = MemoryReactor()
        let cf = TestClientFactory()
        _ = r.connectTCP(host: "h", port: 1, factory: cf)
        r.failConnection(reason: .timedOut)
        #expect(cf.failures == [.timedOut])
    }

    @Test @ReactorActor func callLaterUsesTheFakeClock() {
        let r = MemoryReactor()
        var ran = false
        r.callLater(5) { ran = true }
        r.advance(4.9)
        #expect(!ran)
        r.advance(0.1)
        #expect(ran)
        #expect(r.seconds() == 5)
    }
}
