import Synchronization
import TwisterDeferred

extension Reactor {
    /// Runs a program on the reactor: starts the reactor (as ``run(installSignalHandlers:)`` does), runs
    /// `program` on the reactor thread once it is running, and returns when the reactor stops.
    ///
    /// `program` is isolated to the reactor, so it may call the reactor's API directly
    /// (`try reactor.listenTCP(…)`, `try await app.listen("tcp:8888").value`). It runs like `Deferred { }`:
    /// synchronously up to its first suspension, then on the reactor thread. If it throws (a listen that fails
    /// at once, or an awaited Deferred that fails: a port in use, a bad endpoint description) the reactor is
    /// stopped and `run` throws that error once the shutdown event has run. Returning normally leaves the
    /// reactor running until ``stop()`` or, with `installSignalHandlers`, SIGINT/SIGTERM; `run` then returns.
    ///
    /// In main.swift, catch the error to choose the message and exit status:
    /// ```swift
    /// do {
    ///     try Reactor.shared.run { @ReactorActor in
    ///         let port = try await app.listen("tcp:8888").value
    ///         print("listening on \(port.host)")
    ///     }
    /// } catch {
    ///     FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    ///     exit(1)
    /// }
    /// ```
    /// Must not be called on the reactor thread (it blocks until the reactor stops).
    public func run(installSignalHandlers: Bool = true,
                    _ program: @escaping @Sendable @ReactorActor () async throws -> Void) throws {
        let outcome = ProgramOutcome()
        callWhenRunning { [self] in
            let d = Deferred<Void> { try await program() }
            d.addErrback { failure in
                outcome.record(failure.error)
                self.stop()
            }
        }
        run(installSignalHandlers: installSignalHandlers)
        if let error = outcome.error { throw error }
    }
}

/// The error a program run by ``Reactor/run(installSignalHandlers:_:)`` ended with: written on the reactor
/// thread, read by the caller after the reactor stopped.
private final class ProgramOutcome: Sendable {
    private let stored = Mutex<(any Error)?>(nil)

    /// Keeps the first error (a program fails once).
    func record(_ error: any Error) {
        stored.withLock { if $0 == nil { $0 = error } }
    }

    var error: (any Error)? { stored.withLock { $0 } }
}
