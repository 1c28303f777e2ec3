import Foundation
import TwisterWeb

/// `twister chat [--listen ENDPOINT] [--cookie-secret SECRET] [--debug]`: Tornado's chat demo (default
/// `tcp:8888`). Prints `chat: listening on ADDRESS` once listening and one access-log line per request on
/// standard error, plus `chat: dropped a waiter whose client went away (N waiting)` when a long-poll client
/// leaves. Without `--cookie-secret` a random secret is made (logins last until the process ends).
enum ChatCommand {
    static let usage = "usage: twister chat [--listen ENDPOINT] [--cookie-secret SECRET] [--debug] [--quiet]   (default tcp:8888)"

    static func run(_ arguments: [String]) -> Int32 {
        var listen = "tcp:8888"
        var secret: String?
        var debug = false
        var quiet = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--listen" where i + 1 < arguments.count: listen = arguments[i + 1]; i += 2
            case "--cookie-secret" where i + 1 < arguments.count: secret = arguments[i + 1]; i += 2
            case "--debug": debug = true; i += 1
            case "--quiet": quiet = true; i += 1
            case "-h", "--help": print(usage); return 0
            default:
                FileHandle.standardError.write(Data("twister chat: unknown argument \(arguments[i])\n\(usage)\n".utf8))
                return 2
            }
        }
        let cookieSecret = secret ?? {
            var g = SystemRandomNumberGenerator()
            return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        }()
        return WebServing.serve(name: "chat", listen: listen) { reactor in
            let log: ((String) -> Void)? = quiet ? nil : { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) }
            let app = makeChatApplication(cookieSecret: cookieSecret, debug: debug, log: log)
            if !quiet { app.accessLog = TornadoAccessLog.printer() }
            return app.makeSite(clock: reactor)
        }
    }
}
