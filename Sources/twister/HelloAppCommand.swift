import Foundation
import TwisterWeb

/// `twister hello-app [--listen ENDPOINT] [--async | --async-result | --deferred]`: `Hello, World! N` through an
/// Application route to a RequestHandler (default `tcp:8888`): synchronous (no Task, no Deferred); with `--async`
/// an ``AsyncRequestHandler`` whose `get() async throws` awaits a Deferred fired by `Reactor.shared.callLater(0)`;
/// with `--async-result` the same body in a synchronous verb returning `.async { }`; with `--deferred` the same
/// wait as a returned Deferred (no Task). The benchmark targets. `N` counts the requests served, so that every body
/// (and its ETag) differs from the one before: no figure measured with it depends on a response repeated byte
/// for byte (Docs/design.md, "Benchmarks are honest").
enum HelloAppCommand {
    static let usage = "usage: twister hello-app [--listen ENDPOINT] [--async | --async-result | --deferred]   (default tcp:8888)"

    static func run(_ arguments: [String]) -> Int32 {
        var listen = "tcp:8888"
        var async = false
        var asyncResult = false
        var deferred = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--listen" where i + 1 < arguments.count: listen = arguments[i + 1]; i += 2
            case "--async": async = true; i += 1
            case "--async-result": asyncResult = true; i += 1
            case "--deferred": deferred = true; i += 1
            case "-h", "--help": print(usage); return 0
            default:
                FileHandle.standardError.write(Data("twister hello-app: unknown argument \(arguments[i])\n\(usage)\n".utf8))
                return 2
            }
        }
        let handler: RequestHandler.Type = async ? AsyncHelloHandler.self : asyncResult ? AsyncResultHelloHandler.self
            : deferred ? DeferredHelloHandler.self : HelloHandler.self
        return WebServing.serve(name: "hello-app", listen: listen) { reactor in
            Application([URLSpec("/", handler)]).makeSite(clock: reactor)
        }
    }
}

/// Answers `Hello, World! N` synchronously.
final class HelloHandler: RequestHandler {
    override func get() throws -> HandlerResult {
        HelloBody.write(to: self)
        return .done
    }
}

/// Answers `Hello, World! N` from an async verb that first awaits a Deferred fired by `callLater(0)`.
final class AsyncHelloHandler: AsyncRequestHandler {
    override func get() async throws {
        let d = Deferred<Void>()
        Reactor.shared.callLater(0) { d.callback(()) }
        try await d.value
        HelloBody.write(to: self)
    }
}

/// The same as ``AsyncHelloHandler``, written as a synchronous verb returning `.async { }`.
final class AsyncResultHelloHandler: RequestHandler {
    override func get() throws -> HandlerResult {
        .async {
            let d = Deferred<Void>()
            Reactor.shared.callLater(0) { d.callback(()) }
            try await d.value
            HelloBody.write(to: self)
        }
    }
}

/// Answers `Hello, World! N` when a Deferred fired by `callLater(0)` fires (no Task).
final class DeferredHelloHandler: RequestHandler {
    override func get() throws -> HandlerResult {
        let d = Deferred<Void>()
        Reactor.shared.callLater(0) { d.callback(()) }
        return .deferred(d.addCallback { (_: Void) -> Void in HelloBody.write(to: self) })
    }
}

/// The body of every `hello-app` response: `Hello, World! N`, N = 1, 2, 3… (per process).
@ReactorActor
enum HelloBody {
    static var served = 0

    /// Writes the next body to `handler`: the fixed text, then the count as a small string (no allocation).
    static func write(to handler: RequestHandler) {
        served &+= 1
        handler.write("Hello, World! ")
        handler.write(String(served))
    }
}
