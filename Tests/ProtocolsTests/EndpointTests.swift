import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

@Suite struct EndpointTests {
    @Test @ReactorActor func tcpServerStringParsesPortInterfaceAndBacklog() throws {
        let r = MemoryReactor()
        let ep = try serverFromString(r, "tcp:8080:interface=127.0.0.1:backlog=128") as! TCPServerEndpoint
        #expect(ep.port == 8080 && ep.interface == "127.0.0.1" && ep.backlog == 128)
        _ = ep.listen(Factory { EchoProtocol() })
        #expect(r.tcpServers.count == 1)
        #expect(r.tcpServers[0].port == 8080 && r.tcpServers[0].backlog == 128 && r.tcpServers[0].interface == "127.0.0.1")
    }

    @Test @ReactorActor func tcp6DefaultsToTheIPv6Wildcard() throws {
        let ep = try serverFromString(MemoryReactor(), "tcp6:port=443") as! TCPServerEndpoint
        #expect(ep.port == 443 && ep.interface == "::" && ep.backlog == 50)
    }

    @Test @ReactorActor func unixServerStringParsesAnOctalMode() throws {
        let ep = try serverFromString(MemoryReactor(), "unix:/tmp/x.sock:mode=660") as! UNIXServerEndpoint
        #expect(ep.path == "/tmp/x.sock" && ep.mode == 0o660)
    }

    @Test @ReactorActor func backslashEscapesAndLaterEqualsSignsAreLiteral() throws {
        let ep = try serverFromString(MemoryReactor(), #"unix:/tmp/a\:b\=c.sock"#) as! UNIXServerEndpoint
        #expect(ep.path == "/tmp/a:b=c.sock")
        let ep2 = try serverFromString(MemoryReactor(), "unix:address=/tmp/k=v") as! UNIXServerEndpoint
        #expect(ep2.path == "/tmp/k=v")
    }

    @Test @ReactorActor func clientStringsTakePositionalOrKeywordHostAndPort() throws {
        let a = try clientFromString(MemoryReactor(), "tcp:host=example.com:port=80:timeout=5") as! TCPClientEndpoint
        #expect(a.host == "example.com" && a.port == 80 && a.timeout == 5)
        let b = try clientFromString(MemoryReactor(), "TCP:localhost:8080:bindAddress=127.0.0.1") as! TCPClientEndpoint
        #expect(b.host == "localhost" && b.port == 8080 && b.timeout == 30 && b.bindAddress == .ipv4(host: "127.0.0.1", port: 0))
        let u = try clientFromString(MemoryReactor(), "unix:/var/run/x.sock:timeout=2") as! UNIXClientEndpoint
        #expect(u.path == "/var/run/x.sock" && u.timeout == 2)
    }

    @Test(arguments: [
        ("tcp:notaport", "port"), ("tcp:70000", "port"), ("tcp:80:backlog=x", "backlog"),
        ("tcp:80:colour=red", "colour"), ("udp:80", "type"), ("TCP:80", "type"), ("tcp", "port"),
        ("tcp:80:interface=nothost", "interface"), ("unix:/x:mode=999", "mode"), ("unix", "address"),
        ("tcp:80:81", "81"), ("tcp:80:port=81", "port"), ("", "type"),
    ])
    @ReactorActor func badServerDescriptionsNameTheField(_ description: String, _ field: String) {
        do {
            _ = try serverFromString(MemoryReactor(), description)
            Issue.record("\(description) was accepted")
        } catch {
            #expect(error.field == field, "\(description): \(error)")
        }
    }

    @Test(arguments: [
        ("tcp:host=h", "port"), ("tcp:port=80", "host"), ("tcp:h:80:timeout=soon", "timeout"),
        ("tcp:h:80:bindAddress=nowhere", "bindAddress"), ("carrier-pigeon:h", "type"), ("unix:", "path"),
    ])
    @ReactorActor func badClientDescriptionsNameTheField(_ description: String, _ field: String) {
        do {
            _ = try clientFromString(MemoryReactor(), description)
            Issue.record("\(description) was accepted")
        } catch {
            #expect(error.field == field, "\(description): \(error)")
        }
    }

    @Test @ReactorActor func endpointsListenAndConnectOverRealSockets() async throws {
        let server = try serverFromString(Reactor.shared, "tcp:0:interface=127.0.0.1")
        let port = try await resultOf(server.listen(Factory { EchoProtocol() }))
        defer { _ = port.stopListening() }
        let client = try clientFromString(Reactor.shared, "tcp:host=127.0.0.1:port=\(port.host.port):timeout=2")
        let p = try await resultOf(connectProtocol(client, RecordingProtocol()))
        #expect(p.connected)
        p.transport?.write("ping")
        #expect(try await p.waitFor(bytes: 4))
        #expect(String(buffer: p.received) == "ping")
        p.transport?.loseConnection()
        #expect(try await resultOf(p.lost) == .done)
    }

    @Test @ReactorActor func endpointConnectFailsWithTheConnectionError() async throws {
        try await withRefusingPort { (n: Int) async throws -> Void in
            let client = try clientFromString(Reactor.shared, "tcp:127.0.0.1:\(n)")
            await #expect(throws: ConnectionError.refused) { try await resultOf(client.connect(Factory { RecordingProtocol() })) }
        }
    }

    @Test @ReactorActor func cancellingAnEndpointConnectStopsTheAttempt() async throws {
        let r = MemoryReactor()
        let client = try clientFromString(r, "tcp:example.com:80")
        let d = client.connect(Factory { RecordingProtocol() })
        #expect(r.tcpClients.count == 1)
        d.cancel()
        #expect(r.tcpClients[0].connector.state == .disconnected)
        await #expect(throws: CancelledError.self) { try await d.value }
    }

    @Test @ReactorActor func listenFailureErrbacks() async throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        let ep = try serverFromString(Reactor.shared, "tcp:\(n):interface=127.0.0.1")
        let d = ep.listen(Factory { EchoProtocol() })
        var failed = false
        do { _ = try await resultOf(d) } catch is ConnectionError { failed = true }
        #expect(failed)
    }

    @Test @ReactorActor func clientCreatorReturnsTheConnectedProtocol() async throws {
        let (port, n) = try listenLocal(Factory { EchoProtocol() })
        defer { _ = port.stopListening() }
        let p = try await resultOf(ClientCreator(Reactor.shared) { RecordingProtocol() }.connectTCP(host: "127.0.0.1", port: n))
        #expect(p.connected && p.transport != nil)
        p.transport?.abortConnection()
    }

    @Test @ReactorActor func clientCreatorDeferredIsCancellable() async throws {
        let r = MemoryReactor()
        let d = ClientCreator(r) { RecordingProtocol() }.connectTCP(host: "example.com", port: 80)
        d.cancel()
        await #expect(throws: CancelledError.self) { try await d.value }
        #expect(r.tcpClients[0].connector.state == .disconnected)
    }
}

@Suite struct UNIXTests {
    static func tempPath(_ name: String) -> String {
        "\(NSTemporaryDirectory())twister-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    @Test @ReactorActor func unixSocketsListenConnectAndEcho() async throws {
        let path = Self.tempPath("echo")
        let port = try Reactor.shared.listenUNIX(path, Factory { EchoProtocol() }, backlog: 50, mode: 0o600)
        #expect(port.host == .unix(path: path))
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let f = TestClientFactory()
        _ = Reactor.shared.connectUNIX(path, f)
        let p = try await resultOf(f.protocolD)
        p.transport?.write("over unix")
        #expect(try await p.waitFor(bytes: 9))
        p.transport?.loseConnection()
        #expect(try await resultOf(p.lost) == .done)
        _ = port.stopListening()
        #expect(access(path, F_OK) != 0)
    }

    @Test @ReactorActor func unixEndpointStringsWork() async throws {
        let path = Self.tempPath("ep")
        let port = try await resultOf(try serverFromString(Reactor.shared, "unix:\(path):mode=660").listen(Factory { EchoProtocol() }))
        defer { _ = port.stopListening() }
        let p = try await resultOf(connectProtocol(try clientFromString(Reactor.shared, "unix:\(path)"), RecordingProtocol()))
        p.transport?.write("x")
        #expect(try await p.waitFor(bytes: 1))
        p.transport?.loseConnection()
    }

    @Test @ReactorActor func connectingToAMissingUnixSocketFails() async throws {
        let f = TestClientFactory()
        _ = Reactor.shared.connectUNIX(Self.tempPath("missing"), f)
        let e = try await resultOf(f.failed)
        guard case .socket = e else { Issue.record("got \(e)"); return }
    }

    @Test @ReactorActor func aStaleSocketFileIsReplaced() throws {
        let path = Self.tempPath("stale")
        let p1 = try Reactor.shared.listenUNIX(path, Factory { EchoProtocol() })
        // Simulate a crash: close the socket without unlinking.
        let sp = p1 as! StreamListeningPort
        Reactor.shared.deregister(fd: sp.fd)
        close(sp.fd)
        let p2 = try Reactor.shared.listenUNIX(path, Factory { EchoProtocol() })
        _ = p2.stopListening()
    }
}
