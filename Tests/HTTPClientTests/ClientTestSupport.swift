import Testing
@testable import TwisterHTTPClient
import TwisterWeb
import TwisterTesting
import Foundation

/// A fake HTTP server: splits the byte stream into requests (head + Content-Length or chunked body) and answers
/// each through `handler`, which returns the raw reply and whether to close afterwards. A nil reply sends nothing.
@ReactorActor
final class FakeHTTPServer: Protocol {
    var received = ""
    var requests: [String] = []
    var handler: (String, Int) -> (String?, close: Bool)
    var lost: Failure?
    var autoRespond = true

    init(_ handler: @escaping (String, Int) -> (String?, close: Bool)) { self.handler = handler }

    override func dataReceived(_ data: ByteBuffer) {
        received += String(buffer: data)
        guard autoRespond else { return }
        while let end = received.range(of: "\r\n\r\n") {
            let head = String(received[..<end.upperBound])
            var total = head.utf8.count
            if let cl = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }) {
                let n = Int(cl.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                guard received.utf8.count >= total + n else { return }
                total += n
            } else if head.lowercased().contains("transfer-encoding: chunked") {
                guard let z = received[end.upperBound...].range(of: "0\r\n\r\n") else { return }
                total = received.utf8.distance(from: received.startIndex, to: z.upperBound)
            }
            let req = String(received.utf8.prefix(total))!
            received = String(received.utf8.dropFirst(total))!
            requests.append(req)
            let (reply, close) = handler(req, requests.count)
            if let reply { transport?.write(reply) }
            if close { transport?.loseConnection(); return }
        }
    }

    override func connectionLost(_ reason: Failure) { lost = reason }
}

/// Connects agent connections to fake servers in memory; `hold` leaves attempts pending (to test connect
/// timeouts and cancellation).
@ReactorActor
final class MemoryConnector: AgentConnector {
    var makeServer: (ConnectionKey) -> Protocol
    var pumps: [LoopbackPump] = []
    var servers: [Protocol] = []
    var keys: [ConnectionKey] = []
    var hold = false
    var heldCancelled = 0
    var refuse = false

    init(_ makeServer: @escaping (ConnectionKey) -> Protocol) { self.makeServer = makeServer }

    /// A connector whose every connection gets a FakeHTTPServer with `handler`.
    convenience init(handler: @escaping (String, Int) -> (String?, close: Bool)) {
        self.init { _ in FakeHTTPServer(handler) }
    }

    func connect(_ key: ConnectionKey, _ proto: Protocol, timeout: Double?) -> Deferred<Void> {
        keys.append(key)
        if refuse { return Deferred.fail(ConnectionError.refused) }
        if hold {
            return Deferred(canceller: { [weak self] _ in self?.heldCancelled += 1 })
        }
        let server = makeServer(key)
        servers.append(server)
        pumps.append(LoopbackPump.connect(client: proto, server: server))
        return Deferred.succeed(())
    }

    /// Moves bytes until every connection is quiet.
    func flush() {
        var moved = true
        var rounds = 0
        while moved && rounds < 1000 {
            moved = false
            for p in pumps where p.pump() { moved = true }
            rounds += 1
        }
    }

    var fakeServers: [FakeHTTPServer] { servers.compactMap { $0 as? FakeHTTPServer } }
}

/// A body protocol that records what it gets.
@ReactorActor
final class RecordingBodyProtocol: Protocol {
    var chunks: [String] = []
    var reason: Failure?
    var body: String { chunks.joined() }
    override func dataReceived(_ data: ByteBuffer) { chunks.append(String(buffer: data)) }
    override func connectionLost(_ reason: Failure) { self.reason = reason }
}

/// A reply with a Content-Length body.
func ok(_ body: String, _ extra: String = "") -> String {
    "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
}

extension Deferred {
    /// The value, or a test failure.
    func get(sourceLocation: SourceLocation = #_sourceLocation) throws -> Value {
        guard let r = result else {
            Issue.record("Deferred has not fired", sourceLocation: sourceLocation)
            throw CancelledError()
        }
        return try r.get()
    }
    /// The failure's error, or a test failure.
    func error(sourceLocation: SourceLocation = #_sourceLocation) -> (any Error)? {
        guard let r = result else { Issue.record("Deferred has not fired", sourceLocation: sourceLocation); return nil }
        switch r {
        case .success(let v): Issue.record("expected failure, got \(v)", sourceLocation: sourceLocation); return nil
        case .failure(let f):
            _ = addBoth { _ in }  // handled: keep the unhandled-error hook quiet
            return f.error
        }
    }
}
