import Foundation
import Synchronization
import TwisterWeb

/// `twister hello --listen ENDPOINT`: answers every request with `Hello, World!` (text/plain) through an ordinary
/// ``Data`` resource on a ``Site``: the plaintext benchmark target. Prints `hello: listening on ADDRESS` once
/// listening; stops cleanly on SIGINT/SIGTERM. Access log off unless `--access-log`. Returns the exit status.
enum HelloCommand {
    static let usage = "usage: twister hello [--listen ENDPOINT] [--access-log]   (default tcp:8080)"

    static func run(_ arguments: [String]) -> Int32 {
        var listen = "tcp:8080"
        var accessLog = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--listen" where i + 1 < arguments.count: listen = arguments[i + 1]; i += 2
            case "--access-log": accessLog = true; i += 1
            case "-h", "--help": print(usage); return 0
            default:
                FileHandle.standardError.write(Foundation.Data("twister hello: unknown argument \(arguments[i])\n\(usage)\n".utf8))
                return 2
            }
        }
        return WebServing.serve(name: "hello", listen: listen) { reactor in
            let site = Site(StaticData("Hello, World!", type: "text/plain"), clock: reactor)
            if accessLog { site.accessLog = WebServing.printLine }
            return site
        }
    }
}

/// Shared start-up of the web commands: listen on an endpoint description, run the reactor until a signal.
enum WebServing {
    /// Writes one line to stdout at once (unbuffered, so logs show up when piped).
    static let printLine: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Foundation.Data((line + "\n").utf8))
    }

    static func serve(name: String, listen: String, makeSite: @escaping @ReactorActor (Reactor) -> Site) -> Int32 {
        ListenAndRun.run(name: name, listen: listen, makeFactory: makeSite)
    }
}
