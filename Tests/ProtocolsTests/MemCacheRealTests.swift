import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

/// The server a real-server test needs is missing (under CI its suite runs anyway and fails with this).
struct MissingServer: Error, CustomStringConvertible {
    let description: String
}

/// Connects a protocol to a real server over TCP. The suites that call it are enabled only when the server
/// answers (``TestDependency``), or under CI, where a missing server fails the test with a message naming it.
@ReactorActor
func connectReal<P: Protocol>(_ variable: String, default def: String, _ make: @escaping () -> P) async throws -> P {
    let (host, port) = serverAddress(variable, default: def)
    let d = ClientCreator(Reactor.shared, make).connectTCP(host: host, port: port, timeout: 10)
    do {
        return try await d.addTimeout(15, clock: Reactor.shared).value
    } catch {
        throw MissingServer(description: "no server at \(host):\(port) (\(variable)): \(error); .ci/run starts one")
    }
}

/// A prefix unique to this run so parallel runs do not collide.
func uniquePrefix(_ what: String) -> String { "twister-\(what)-\(UInt32.random(in: 0...UInt32.max)):" }

@Suite(.serialized, .timeLimit(.minutes(1)),
       .enabled(if: TestDependency.required(TestDependency.memcached),
                "needs memcached on 127.0.0.1:11211 (TWISTER_MEMCACHED); .ci/run starts one"))
@ReactorActor struct MemCacheRealTests {
    @Test func everyCommandAgainstRealMemcached() async throws {
        let mc = try await connectReal("TWISTER_MEMCACHED", default: "127.0.0.1:11211", { MemCacheProtocol(timeout: 5) })
        defer { mc.transport?.loseConnection() }
        try await memcacheScenario(mc, ClientHarness(pump: nil), prefix: uniquePrefix("mc"))
    }

    @Test func realServerErrorsAndLargeValues() async throws {
        let mc = try await connectReal("TWISTER_MEMCACHED", default: "127.0.0.1:11211", { MemCacheProtocol(timeout: 5) })
        defer { mc.transport?.loseConnection() }
        let h = ClientHarness(pump: nil)
        let k = uniquePrefix("mc2")
        let big = ByteBuffer(bytes: (0..<500_000).map { UInt8(truncatingIfNeeded: $0) })
        #expect(try await h.value(mc.set(k + "big", big)) == true)
        let got = try await h.value(mc.get(k + "big"))
        #expect(got?.value.readableBytes == big.readableBytes)
        #expect(got?.value == big)
        #expect(try await h.value(mc.set(k + "s", ByteBuffer(string: "abc"))) == true)
        await #expect(throws: MemCacheError.self) { try await h.value(mc.increment(k + "s")) }
        #expect(try await h.value(mc.version()).contains("."))
    }
}
