/// Spawning child processes (Twisted's `IReactorProcess`).
@ReactorActor
public protocol ReactorProcess: AnyObject {
    /// Starts `executable` (a path, or a name looked up in `PATH`) with `args` (args[0] is the program name, as
    /// in Twisted), environment `env` (nil: inherit ours) and working directory `path` (nil: ours). Throws a
    /// ``ConnectionError/socket(_:)`` when the process cannot be started.
    func spawnProcess(_ proto: ProcessProtocol, _ executable: String, args: [String], env: [String: String]?,
                      path: String?) throws -> ProcessTransport
}

extension ReactorProcess {
    public func spawnProcess(_ proto: ProcessProtocol, _ executable: String, args: [String] = [],
                             env: [String: String]? = nil, path: String? = nil) throws -> ProcessTransport {
        try spawnProcess(proto, executable, args: args.isEmpty ? [executable] : args, env: env, path: path)
    }
}

extension Reactor: ReactorProcess {
    public func spawnProcess(_ proto: ProcessProtocol, _ executable: String, args: [String], env: [String: String]?,
                             path: String?) throws -> ProcessTransport {
        let t = try ProcessTransport.spawn(reactor: self, executable: executable, args: args, env: env, cwd: path)
        t.start(proto)
        return t
    }
}
