import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// ``AsyncRequestHandler``: verbs written `async throws`, without an `.async { }` wrapper (issue 10, "Handlers").
@Suite @ReactorActor struct TornadoAsyncHandlerTests {
    @ReactorActor static var gate = Deferred<String>()

    final class Waiting: AsyncRequestHandler {
        override func get() async throws {
            let v = try await TornadoAsyncHandlerTests.gate.value
            write("async \(v)")
        }
        override func post() async throws { throw HTTPError(418) }
    }

    @Test func anAsyncVerbAwaitsAndFinishesWhenItReturns() async throws {
        Self.gate = Deferred<String>()
        let h = AppHarness([URLSpec("/", Waiting.self)])
        #expect(h.fetch("/") == nil)
        Self.gate.callback("done")
        for _ in 0..<100 where h.harness.transport.written.readableBytes == 0 { await Task.yield() }
        #expect(h.take()?.body == "async done")
    }

    @Test func aThrownHTTPErrorAnswersItsStatusAndVerbsNotOverriddenAnswer405() async throws {
        let h = AppHarness([URLSpec("/", Waiting.self)])
        var r = h.fetch("/", method: "POST", body: "")
        for _ in 0..<100 where r == nil { await Task.yield(); r = h.take() }
        #expect(r?.code == 418)
        var p = h.fetch("/", method: "PUT", body: "")
        for _ in 0..<100 where p == nil { await Task.yield(); p = h.take() }
        #expect(p?.code == 405)
    }

    @Test func aVerbThatNeverSuspendsAnswersAtOnce() throws {
        final class Quick: AsyncRequestHandler {
            override func get() async throws { write("quick") }
        }
        let h = AppHarness([URLSpec("/", Quick.self)])
        #expect(h.fetch("/")?.body == "quick")
    }
}
