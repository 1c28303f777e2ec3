import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

/// Connects a protocol to a real server over TCP, or nil (the test then skips) when nothing listens there.
@ReactorActor
func connectReal<P: Protocol>(_ variable: String, default def: String, _ make: @escaping () -> P) async -> P? {
    let (host, port) = serverAddress(variable, default: def)
    let d = ClientCreator(Reactor.shared, make).connectTCP(host: host, port: port, timeout: 2)
    do {
        return try await d.addTimeout(3, clock: Reactor.shared).value
    } catch {
        print("SKIP: no server at \(host):\(port) (\(variable)): \(error). CI provides one.")
        return nil
    }
}

/// A prefix unique to this run so parallel runs do not collide.
func uniquePrefix(_ what: String) -> String { "twister-\(what)-\(UInt32.random(in: 0...UInt32.max)):" }

@Suite(.serialized, .timeLimit(.minutes(1))) @ReactorActor struct MemCacheRealTests {
    @Test func everyCommandAgainstRealMemcached() async throws {
        guard let mc = await connectReal("TWISTER_MEMCACHED", default: "127.0.0.1:11211", { MemCacheProtocol(timeout: 5) }) else { return }
        defer { mc.transport?.loseConnection() }
        try await memcacheScenario(mc, ClientHarness(pump: nil), prefix: uniquePrefix("mc"))
    }

    @Test func realServerErrorsAndLargeValues() async throws {
        guard let mc = await connectReal("TWISTER_MEMCACHED", default: "127.0.0.1:11211", { MemCacheProtocol(timeout: 5) }) else { return }
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
