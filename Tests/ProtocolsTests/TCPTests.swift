import Testing
import Foundation
import TwisterTesting
@testable import TwisterProtocols

/// A push producer that writes `chunk`-sized buffers every loop pass while not paused.
@ReactorActor
final class FloodProducer: Producer {
    let transport: any Transport
    var paused = false
    var pauses = 0
    var resumes = 0
    var stopped = false
    var written = 0
    let limit: Int
    init(_ t: any Transport, limit: Int) { transport = t; self.limit = limit }
    func start() { pump() }
    func pump() {
        guard !paused, !stopped, written < limit else { return }
        transport.write(ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 16384)))
        written += 16384
        Reactor.shared.callLater(0) { [weak self] in self?.pump() }
    }
    func pauseProducing() { paused = true; pauses += 1 }
    func resumeProducing() { paused = false; resumes += 1; pump() }
    func stopProducing() { stopped = true }
}

/// A pull producer that writes `chunks` buffers, one per resumeProducing, then finishes the connection.
@ReactorActor
final class ChunkPuller: Producer {
    let transport: any Transport
    var remaining: Int
    init(_ t: any Transport, chunks: Int) { transport = t; remaining = chunks }
    func resumeProducing() {
        guard remaining > 0 else { return }
        remaining -= 1
        transport.write(ByteBuffer(bytes: [UInt8](repeating: 0x62, count: 1000)))
        if remaining == 0 { transport.unregisterProducer(); transport.loseConnection() }
    }
    func stopProducing() { remaining = 0 }
}

@Suite struct TCPTests {
    @Test @ReactorActor func echoRoundTripOverLoopback() async throws {
        let (port, portNumber) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(portNumber)
        client.transport?.write("hello, world")
        #expect(try await client.waitFor(bytes: 12))
        #expect(String(buffer: client.received) == "hello, world")
        client.transport?.loseConnection()
        #expect(try await resultOf(client.lost) == .done)
    }

    @Test @ReactorActor func writeSequenceSendsBuffersInOrder() async throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        client.transport?.writeSequence(["a", "bb", ByteBuffer(bytes: [UInt8](repeating: 0x63, count: 50_000)), "d"])
        #expect(try await client.waitFor(bytes: 50_004))
        let s = String(buffer: client.received)
        #expect(s.hasPrefix("abbccc") && s.hasSuffix("cd"))
        client.transport?.loseConnection()
    }

    @Test @ReactorActor func portZeroListensOnAnEphemeralPortReportedByHost() throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        #expect(n > 0)
        #expect(port.host == .ipv4(host: "127.0.0.1", port: n))
    }

    @Test @ReactorActor func transportsReportPeerAndHostAddresses() async throws {
        let server = TestServerFactory()
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        let s = try await server.first()
        #expect(client.transport?.peer == .ipv4(host: "127.0.0.1", port: n))
        #expect(s.transport?.host == .ipv4(host: "127.0.0.1", port: n))
        #expect(s.transport?.peer == client.transport?.host)
        client.transport?.loseConnection()
        #expect(try await resultOf(s.lost) == .done)
    }

    @Test @ReactorActor func connectingToAClosedPortIsRefused() async throws {
        try await withRefusingPort { (n: Int) async throws -> Void in
            let f = TestClientFactory()
            let c = Reactor.shared.connectTCP(host: "127.0.0.1", port: n, factory: f, timeout: 2)
            #expect(try await resultOf(f.failed) == .refused)
            #expect(f.started == 1)
            #expect((c as! StreamConnector).state == .disconnected)
        }
    }

    @Test @ReactorActor func connectTimesOutWhenThePeerNeverAnswers() async throws {
        // A listening socket that never accepts, with a full backlog: further SYNs are dropped.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        try SocketCalls.bind(fd, .ipv4(host: "127.0.0.1", port: 0))
        #expect(Glibc.listen(fd, 0) == 0)
        let n = SocketCalls.localAddress(fd)!.port
        var factories: [TestClientFactory] = []
        for _ in 0..<6 {
            let f = TestClientFactory()
            _ = Reactor.shared.connectTCP(host: "127.0.0.1", port: n, factory: f, timeout: 0.3)
            factories.append(f)
        }
        #expect(try await eventually { factories.contains { $0.failures.contains(.timedOut) } })
    }

    @Test @ReactorActor func stopConnectingAbortsTheAttempt() async throws {
        let f = TestClientFactory()
        let c = Reactor.shared.connectTCP(host: "localhost", port: 9, factory: f, timeout: 5)
        c.stopConnecting()
        #expect(try await resultOf(f.failed) == .aborted)
    }

    @Test @ReactorActor func hostNamesResolveOnThePoolAndConnect() async throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        let f = TestClientFactory()
        _ = Reactor.shared.connectTCP(host: "localhost", port: n, factory: f, timeout: 2)
        let p = try await resultOf(f.protocolD)
        p.transport?.write("x")
        #expect(try await p.waitFor(bytes: 1))
        p.transport?.abortConnection()
    }

    @Test @ReactorActor func unresolvableHostFailsWithDNSLookupFailed() async throws {
        let f = TestClientFactory()
        _ = Reactor.shared.connectTCP(host: "no-such-host.invalid", port: 80, factory: f, timeout: 5)
        let e = try await resultOf(f.failed, timeout: 5)
        guard case .dnsLookupFailed = e else { Issue.record("got \(e)"); return }
    }

    @Test @ReactorActor func loseConnectionSendsEverythingQueuedFirst() async throws {
        let size = 2_000_000
        let server = TestServerFactory {
            let p = RecordingProtocol()
            p.onData = { p, _ in
                p.transport?.write(ByteBuffer(bytes: [UInt8](repeating: 7, count: size)))
                p.transport?.loseConnection()
            }
            return p
        }
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        client.transport?.write("go")
        #expect(try await resultOf(client.lost) == .done)
        #expect(client.received.readableBytes == size)
    }

    @Test @ReactorActor func abortConnectionDropsTheBufferAndResetsThePeer() async throws {
        let server = TestServerFactory()
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        let s = try await server.first()
        client.transport?.write(ByteBuffer(bytes: [UInt8](repeating: 1, count: 100_000)))
        client.transport?.abortConnection()
        #expect(client.connected) // connectionLost comes later, from the loop
        #expect(try await resultOf(client.lost) == .aborted)
        let r = try await resultOf(s.lost)
        guard case .lost = r else { Issue.record("server saw \(r)"); return }
    }

    @Test @ReactorActor func peerResetMidWriteEndsWithConnectionLost() async throws {
        let server = TestServerFactory {
            let p = RecordingProtocol()
            p.onData = { p, _ in
                let producer = FloodProducer(p.transport!, limit: 64 << 20)
                p.transport?.registerProducer(producer, streaming: true)
                producer.start()
            }
            return p
        }
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        client.transport?.write("start")
        #expect(try await client.waitFor(bytes: 100_000))
        client.transport?.abortConnection()
        let s = try await server.first()
        let r = try await resultOf(s.lost)
        guard case .lost = r else { Issue.record("server saw \(r)"); return }
    }

    @Test @ReactorActor func halfCloseDeliversReadConnectionLostAndKeepsWriting() async throws {
        let server = TestServerFactory {
            let p = RecordingProtocol()
            p.halfClose = true
            return p
        }
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n) {
            let p = RecordingProtocol()
            p.halfClose = true
            return p
        }
        client.transport?.write("request")
        (client.transport as? HalfCloseableTransport)?.loseWriteConnection()
        let s = try await server.first()
        #expect(try await eventually { s.readLost == 1 })
        #expect(String(buffer: s.received) == "request")
        #expect(client.writeLost == 1)
        s.transport?.write("reply")
        s.transport?.loseConnection()
        #expect(try await resultOf(client.lost) == .done)
        #expect(String(buffer: client.received) == "reply")
        #expect(try await resultOf(s.lost) == .done)
    }

    @Test @ReactorActor func peerEOFClosesAProtocolWithoutHalfClose() async throws {
        let server = TestServerFactory()
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        (client.transport as? HalfCloseableTransport)?.loseWriteConnection()
        let s = try await server.first()
        #expect(try await resultOf(s.lost) == .done)
        #expect(s.readLost == 0)
    }

    @Test @ReactorActor func aSlowReaderPausesAStreamingProducerAndResumesIt() async throws {
        var producer: FloodProducer?
        let server = TestServerFactory {
            let p = RecordingProtocol()
            p.onData = { p, _ in
                let fp = FloodProducer(p.transport!, limit: 1 << 30)
                producer = fp
                p.transport?.registerProducer(fp, streaming: true)
                fp.start()
            }
            return p
        }
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        // Small kernel buffers, so that the bytes pile up in the transport rather than in the kernel.
        let s0 = try await server.first()
        _ = SocketCalls.setOption((s0.transport as! StreamTransport).fd, SOL_SOCKET, SO_SNDBUF, 8192)
        client.transport?.pauseProducing()   // the client stops reading
        client.transport?.write("start")
        #expect(try await eventually { producer?.paused == true })
        let s = try await server.first()
        #expect(producer!.pauses >= 1)
        // While the client does not read, the transport never holds much more than the high-water mark: the
        // producer is paused whenever it goes above (it may be resumed as the kernel's buffers absorb some).
        var maxBuffered = 0
        for _ in 0..<20 {
            maxBuffered = max(maxBuffered, (s.transport as! StreamTransport).bufferedBytes)
            try await sleep(0.005)
        }
        #expect(maxBuffered <= StreamTransport.highWaterMark + 2 * 16384)
        #expect(producer!.written < 32 << 20)
        let writtenWhilePaused = producer!.written
        client.transport?.resumeProducing()
        #expect(try await eventually { producer!.resumes >= 1 })
        #expect(try await client.waitFor(bytes: writtenWhilePaused))
        #expect(producer!.pauses >= 1)
        client.transport?.abortConnection()
        #expect(try await resultOf(s.lost).isLost)
        #expect(producer!.stopped)
    }

    @Test @ReactorActor func aPullProducerIsAskedForMoreEachTimeTheBufferDrains() async throws {
        let server = TestServerFactory {
            let p = RecordingProtocol()
            p.onData = { p, _ in
                p.transport?.registerProducer(ChunkPuller(p.transport!, chunks: 50), streaming: false)
            }
            return p
        }
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        client.transport?.write("go")
        #expect(try await resultOf(client.lost) == .done)
        #expect(client.received.readableBytes == 50_000)
    }

    @Test @ReactorActor func aRefusingFactoryClosesTheConnection() async throws {
        let server = TestServerFactory()
        server.refuse = true
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        let r = try await resultOf(client.lost)
        #expect(r == .done || r.isLost)
    }

    @Test @ReactorActor func noDelayIsOnByDefaultAndKeepAliveIsSettable() async throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        let (_, client) = try await connectLocal(n)
        let t = client.transport as! any TCPTransport
        #expect(t.noDelay)
        #expect(!t.keepAlive)
        t.keepAlive = true
        #expect(t.keepAlive)
        t.noDelay = false
        #expect(!t.noDelay)
        t.loseConnection()
    }

    @Test @ReactorActor func stopListeningRefusesNewConnectionsButKeepsOldOnes() async throws {
        let server = TestServerFactory { EchoProtocol() }
        let (port, n) = try listenLocal(server)
        let (_, client) = try await connectLocal(n)
        try await resultOf(port.stopListening())
        let f = TestClientFactory()
        _ = Reactor.shared.connectTCP(host: "127.0.0.1", port: n, factory: f, timeout: 2)
        // Refused (unless a parallel test grabbed the freed port): either way our factory builds nothing more.
        _ = try await eventually { !f.failures.isEmpty || !f.built.isEmpty }
        #expect(server.built.count == 1)
        client.transport?.write("still here")
        #expect(try await client.waitFor(bytes: 10))
        client.transport?.loseConnection()
    }

    @Test @ReactorActor func factoryStartsAndStopsWithItsPorts() throws {
        final class Counting: Factory {
            var starts = 0, stops = 0
            override func startFactory() { starts += 1 }
            override func stopFactory() { stops += 1 }
        }
        let f = Counting { EchoProtocol() }
        let p1 = try Reactor.shared.listenTCP(0, f, interface: "127.0.0.1")
        let p2 = try Reactor.shared.listenTCP(0, f, interface: "127.0.0.1")
        #expect(f.starts == 1)
        _ = p1.stopListening()
        #expect(f.stops == 0)
        _ = p2.stopListening()
        #expect(f.stops == 1)
    }

    @Test @ReactorActor func listeningOnAPortInUseThrowsASocketError() throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        #expect(throws: ConnectionError.self) { try Reactor.shared.listenTCP(n, Factory { EchoProtocol() }, interface: "127.0.0.1") }
    }

    @Test(.enabled(if: TestDependency.ipv6Loopback, "needs an IPv6 loopback (::1)"))
    @ReactorActor func ipv6LoopbackWorks() async throws {
        let port = try Reactor.shared.listenTCP(0, Factory { EchoProtocol() }, interface: "::1")
        defer { _ = port.stopListening() }
        let f = TestClientFactory()
        _ = Reactor.shared.connectTCP(host: "::1", port: port.host.port, factory: f, timeout: 2)
        let p = try await resultOf(f.protocolD)
        #expect(p.transport?.peer == .ipv6(host: "::1", port: port.host.port))
        p.transport?.write("six")
        #expect(try await p.waitFor(bytes: 3))
        p.transport?.loseConnection()
    }

    @Test @ReactorActor func clientFactoryHearsConnectionLostAndCanRetry() async throws {
        let server = TestServerFactory()
        let (port, n) = try listenLocal(server)
        defer { _ = port.stopListening() }
        let f = TestClientFactory()
        let c = Reactor.shared.connectTCP(host: "127.0.0.1", port: n, factory: f, timeout: 2)
        _ = try await resultOf(f.protocolD)
        c.disconnect()
        #expect(try await resultOf(f.lostD) == .done)
        c.connect()
        #expect(try await eventually { f.built.count == 2 && server.built.count == 2 })
        #expect(f.started == 2)
        c.disconnect()
    }

    @Test @ReactorActor func manyConnectionsAtOnce() async throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        var clients: [RecordingProtocol] = []
        for _ in 0..<100 {
            let f = TestClientFactory()
            _ = Reactor.shared.connectTCP(host: "127.0.0.1", port: n, factory: f, timeout: 2)
            clients.append(try await resultOf(f.protocolD))
        }
        for (i, c) in clients.enumerated() { c.transport?.write("client \(i);") }
        #expect(try await eventually { clients.enumerated().allSatisfy { String(buffer: $1.received) == "client \($0);" } })
        for c in clients { c.transport?.loseConnection() }
    }
}

extension ConnectionError {
    var isLost: Bool { if case .lost = self { return true }; return false }
}
