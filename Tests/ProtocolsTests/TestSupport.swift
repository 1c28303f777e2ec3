import Testing
import Synchronization
import Foundation
@testable import TwisterProtocols
@_exported import TwisterTesting

/// A Deferred fired after `seconds` on the reactor.
@ReactorActor
func sleep(_ seconds: Double) async throws {
    let d = Deferred<Void>()
    Reactor.shared.callLater(seconds) { d.callback(()) }
    try await d.value
}

/// Records everything a protocol sees.
@ReactorActor
final class RecordingProtocol: Protocol {
    var received = ByteBuffer()
    var made = Deferred<Void>()
    var lost = Deferred<ConnectionError>()
    var lostReason: ConnectionError?
    var halfClose = false
    var readLost = 0
    var writeLost = 0
    var onData: ((RecordingProtocol, ByteBuffer) -> Void)?

    override func connectionMade() { made.callback(()) }
    override func dataReceived(_ data: ByteBuffer) {
        received.writeImmutableBuffer(data)
        onData?(self, data)
    }
    override func connectionLost(_ reason: Failure) {
        let e = reason.error as? ConnectionError ?? .lost("\(reason.error)")
        lostReason = e
        lost.callback(e)
    }
    override var wantsHalfClose: Bool { halfClose }
    override func readConnectionLost() { readLost += 1 }
    override func writeConnectionLost() { writeLost += 1 }

    /// Waits until `count` bytes have arrived.
    func waitFor(bytes count: Int, timeout: Double = 30) async throws -> Bool {
        try await eventually(timeout: timeout) { self.received.readableBytes >= count }
    }
}

/// Echoes what it receives.
@ReactorActor
final class EchoProtocol: Protocol {
    override func dataReceived(_ data: ByteBuffer) { transport?.write(data) }
}

/// A lock-protected value shared between threads in tests.
final class Locked<T: Sendable>: Sendable {
    private let m: Mutex<T>
    init(_ v: T) { m = Mutex(v) }
    func withLock<R: Sendable>(_ f: (inout T) -> R) -> R { m.withLock { f(&$0) } }
    var value: T { m.withLock { $0 } }
}

/// A client factory that builds one protocol per attempt and records how attempts end.
@ReactorActor
final class TestClientFactory: ClientFactory {
    let make: () -> Protocol
    var built: [Protocol] = []
    var failures: [ConnectionError] = []
    var losses: [ConnectionError] = []
    var started = 0
    var failed = Deferred<ConnectionError>()
    var lostD = Deferred<ConnectionError>()

    init(_ make: @escaping () -> Protocol = { RecordingProtocol() }) {
        self.make = make
        super.init()
    }
    override func buildProtocol(_ addr: Address) -> Protocol? {
        let p = make()
        p.factory = self
        built.append(p)
        return p
    }
    override func startedConnecting(_ connector: any Connector) { started += 1 }
    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        let e = reason.error as! ConnectionError
        failures.append(e)
        if !failed.called { failed.callback(e) }
    }
    override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        let e = reason.error as! ConnectionError
        losses.append(e)
        if !lostD.called { lostD.callback(e) }
    }
    var protocolD: Deferred<RecordingProtocol> {
        Deferred {
            guard try await eventually({ !self.built.isEmpty || !self.failures.isEmpty }), let first = self.built.first else {
                throw self.failures.first ?? ConnectionError.timedOut
            }
            let p = first as! RecordingProtocol
            try await resultOf(p.made)
            return p
        }
    }
}

/// A server factory remembering the protocols it built.
@ReactorActor
final class TestServerFactory: Factory {
    let make: () -> Protocol
    var built: [Protocol] = []
    var refuse = false
    init(_ make: @escaping () -> Protocol = { RecordingProtocol() }) {
        self.make = make
        super.init()
    }
    override func buildProtocol(_ addr: Address) -> Protocol? {
        if refuse { return nil }
        let p = make()
        p.factory = self
        built.append(p)
        return p
    }
    func first<P: Protocol>(_ type: P.Type = RecordingProtocol.self) async throws -> P {
        try #require(try await eventually { !self.built.isEmpty })
        return built[0] as! P
    }
}

/// Listens on 127.0.0.1 with an ephemeral port.
@ReactorActor
func listenLocal(_ factory: Factory) throws -> (any ListeningPort, Int) {
    let port = try Reactor.shared.listenTCP(0, factory, interface: "127.0.0.1")
    return (port, port.host.port)
}

/// Connects to 127.0.0.1:port and waits for the connection.
@ReactorActor
func connectLocal(_ port: Int, _ make: @escaping () -> Protocol = { RecordingProtocol() }) async throws -> (TestClientFactory, RecordingProtocol) {
    let f = TestClientFactory(make)
    // Not the subject: generous, as the reactor is shared with every suite running in parallel.
    _ = Reactor.shared.connectTCP(host: "127.0.0.1", port: port, factory: f, timeout: 30)
    let p = try await resultOf(f.protocolD)
    return (f, p)
}

/// A local TCP port on which nothing listens and that no other test can take while `body` runs: a socket bound to
/// it but not listening, so connecting is refused.
@ReactorActor
func withRefusingPort<R>(_ body: (Int) async throws -> R) async throws -> R {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    try SocketCalls.bind(fd, .ipv4(host: "127.0.0.1", port: 0))
    return try await body(SocketCalls.localAddress(fd)!.port)
}
