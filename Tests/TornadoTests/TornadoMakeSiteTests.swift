import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// A server made the documented way (`app.makeSite()`, `app.listen`) has the same clock as `Site(app)`: the
/// reactor's, so its idle, header and abort timeouts run.
@Suite @ReactorActor struct TornadoMakeSiteTests {
    final class Hello: RequestHandler {
        required init() { super.init() }
        override func get() throws -> HandlerResult { write("hello"); return .done }
    }

    @Test func makeSiteRunsItsTimeoutsOnTheReactorByDefaultAsSiteDoes() {
        let app = Application([URLSpec("/", Hello.self)])
        #expect(app.makeSite().clock === Reactor.shared)
        #expect(Site(app).clock === Reactor.shared)
        #expect(app.makeSite(clock: nil).clock == nil)
    }

    @Test func aMadeSiteClosesAnIdleConnectionAndAnswersASlowHeadWith408() {
        let clock = Clock()
        let site = Application([URLSpec("/", Hello.self)]).makeSite(clock: clock)

        let idle = StringTransport()
        let c1 = site.buildProtocol(idle.peer)
        idle.connect(c1!)
        clock.advance(59)
        #expect(!idle.disconnecting)
        clock.advance(1)
        #expect(idle.disconnecting, "idle timeout (60 s)")

        let slow = StringTransport()
        let c2 = site.buildProtocol(slow.peer)
        slow.connect(c2!)
        slow.receive("GET / HTTP/1.1\r\nHost: x\r\n")
        clock.advance(20)
        #expect(SiteHarness.statuses(slow.take()) == [408], "header read timeout (20 s)")
        #expect(slow.disconnecting)
    }
}
