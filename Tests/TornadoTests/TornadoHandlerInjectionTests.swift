import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// Dependencies given to handlers with their types (issue 10, "Handlers"): no `[String: Any]`, no
/// `required init()` in the handler.
@Suite @ReactorActor struct TornadoHandlerInjectionTests {
    final class Greeting { let word: String; init(_ word: String) { self.word = word } }

    final class Greeter: RequestHandler {
        var greeting: Greeting?
        override func get() throws -> HandlerResult { write(greeting?.word ?? "?"); return .done }
    }

    /// A handler with an initializer of its own, made by the route's factory.
    final class Welcomer: RequestHandler {
        let greeting: Greeting
        init(greeting: Greeting) { self.greeting = greeting; super.init() }
        required init() { greeting = Greeting("?"); super.init() }
        override func get() throws -> HandlerResult { write(greeting.word); return .done }
    }

    @Test func aRouteInitializesItsHandlersWithTypedDependencies() throws {
        let hello = Greeting("bonjour")
        let h = AppHarness([URLSpec("/", Greeter.self) { $0.greeting = hello },
                            URLSpec("/plain", Greeter.self),
                            URLSpec("/w", factory: { Welcomer(greeting: hello) })])
        #expect(h.fetch("/")?.body == "bonjour")
        #expect(h.fetch("/plain")?.body == "?")
        #expect(h.fetch("/w")?.body == "bonjour")
    }

    @Test func theInitializeClosureRunsForEveryRequestBeforeTheVerb() throws {
        var made = 0
        let h = AppHarness([URLSpec("/", Greeter.self) { g in made += 1; g.greeting = Greeting("n\(made)") }])
        #expect(h.fetch("/")?.body == "n1")
        #expect(h.fetch("/")?.body == "n2")
    }
}
