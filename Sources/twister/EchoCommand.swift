import Foundation
import Synchronization
import TwisterProtocols

/// `twister echo --listen ENDPOINT`: an echo server on any server endpoint description (default `tcp:8007`),
/// serving any number of connections at once. Prints `echo: listening on ADDRESS` once listening; stops cleanly
/// on SIGINT/SIGTERM. Returns the process exit status.
enum EchoCommand {
    static let usage = "usage: twister echo [--listen ENDPOINT]   (default tcp:8007; e.g. tcp:0:interface=127.0.0.1, unix:/tmp/echo.sock)"

    static func run(_ arguments: [String]) -> Int32 {
        var listen = "tcp:8007"
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--listen" where i + 1 < arguments.count:
                listen = arguments[i + 1]; i += 2
            case "-h", "--help":
                print(usage); return 0
            default:
                FileHandle.standardError.write(Data("twister echo: unknown argument \(arguments[i])\n\(usage)\n".utf8))
                return 2
            }
        }
        return ListenAndRun.run(name: "echo", listen: listen) { _ in Factory { EchoServerProtocol() } }
    }
}

/// Writes back whatever it receives.
@ReactorActor
final class EchoServerProtocol: Protocol {
    override func dataReceived(_ data: ByteBuffer) { transport?.write(data) }
}
