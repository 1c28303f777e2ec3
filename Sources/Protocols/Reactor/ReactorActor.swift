/// The global actor of the reactor thread. Protocols, transports, factories and everything else the reactor
/// owns are isolated to it, so the compiler checks that they are only touched on the reactor thread.
///
/// Its executor is ``Reactor/shared``: `Task { @ReactorActor in … }` runs on the reactor thread.
@globalActor
public actor ReactorActor {
    public static let shared = ReactorActor()

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        Reactor.shared.asUnownedSerialExecutor()
    }

    /// Runs `operation` as reactor-isolated code when the caller is known to be on the reactor thread but the
    /// compiler cannot see it (I/O callbacks, timers). Traps when called from any other thread.
    public static func assumeIsolated<T: Sendable>(
        _ operation: @ReactorActor () throws -> T,
        file: StaticString = #fileID, line: UInt = #line
    ) rethrows -> T {
        precondition(Reactor.shared.isInReactorThread, "ReactorActor.assumeIsolated called off the reactor thread", file: file, line: line)
        // Safe: the precondition above proved this is the reactor thread, and @ReactorActor isolation means exactly
        // "runs on the reactor thread"; the bit-cast only drops the isolation from the function type (a global-actor
        // function has the same representation as a plain one), so the call is the same call.
        return try withoutActuallyEscaping(operation) { op in
            try unsafeBitCast(op, to: (() throws -> T).self)()
        }
    }
}

/// `Deferred { }` started on the reactor gives its task the reactor as executor preference, so that continuations
/// resumed by timers and I/O callbacks come straight back to the reactor instead of through the global pool, and
/// the reactor runs the task's first job synchronously (see `ImmediateTaskStarting` in TwisterDeferred).
extension ReactorActor: ImmediateTaskStarting {
    public nonisolated var immediateTaskExecutor: any TaskExecutor { Reactor.shared }

    public nonisolated func armImmediateStart() {
        Reactor.shared.assertInReactorThread("Deferred { } on the reactor")
        Reactor.shared.immediateStartArmed = true
    }

    public nonisolated func disarmImmediateStart() {
        Reactor.shared.immediateStartArmed = false
    }
}
