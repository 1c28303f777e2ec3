import Testing
@testable import TwisterProtocols
import TwisterTesting

/// The black-box testing helpers of TwisterTesting: a port that refuses connections, the release probe.
@Suite struct TestingHelpersTests {
    @Test @ReactorActor func aRefusingPortRefusesAtOnceUntilClosed() async throws {
        let refusing = try RefusingPort()
        #expect(refusing.port > 0)
        let f = TestClientFactory()
        _ = Reactor.shared.connectTCP(host: "127.0.0.1", port: refusing.port, factory: f, timeout: 5)
        let reason = try await resultOf(f.failed, timeout: 3)
        #expect(reason == .refused, "got \(reason)")
        #expect(f.built.isEmpty)
        // The port stays taken while the helper lives: nobody else can listen there.
        #expect(throws: (any Error).self) { try Reactor.shared.listenTCP(refusing.port, Factory { RecordingProtocol() }, interface: "127.0.0.1") }
        // After close() the port is free, but not asserted by listening on it again: in a parallel run another
        // test's outgoing connection may take that number as its ephemeral source port at once (seen in CI:
        // EADDRINUSE). close() is idempotent.
        refusing.close()
        refusing.close()
    }

    @Test func theProbeSeesADeferredReleasedOnlyWhenNoHandleIsLeft() {
        var kept: Deferred<String>?
        let probe: DeferredReleaseProbe
        do {
            let d = Deferred<Int>()
            probe = DeferredReleaseProbe(d)
            kept = d.addCallback { "\($0)" }
            #expect(!probe.isReleased)
        }
        #expect(!probe.isReleased)      // the handle returned by addCallback views the same chain
        #expect(kept?.called == false)
        kept = nil
        #expect(probe.isReleased)
    }

    @Test func theProbeSeesAClosureHoldingTheDeferred() {
        var hold: (() -> Void)?
        let probe: DeferredReleaseProbe
        do {
            let d = Deferred<Void>()
            probe = DeferredReleaseProbe(d)
            hold = { d.callback(()) }
        }
        #expect(!probe.isReleased)
        hold?()
        hold = nil
        #expect(probe.isReleased)
    }
}
