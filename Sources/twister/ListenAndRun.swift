import Foundation
import TwisterWeb

/// The start-up every server command shares: run the reactor with a program that listens on an endpoint
/// description and prints `NAME: listening on ADDRESS`; return the exit status once the reactor stops.
///
/// A bad endpoint description ends the process with status 2 and a failed listen (a port in use, a path that
/// cannot be bound) with status 1, each with a `twister NAME: …` line on stderr: nothing is swallowed.
enum ListenAndRun {
    /// Why the program stopped the reactor.
    enum StartError: Error {
        case badDescription(any Error)
        case cannotListen(any Error)
    }

    static func run(name: String, listen: String, makeFactory: @escaping @ReactorActor (Reactor) -> Factory) -> Int32 {
        let reactor = Reactor.shared
        do {
            try reactor.run { @ReactorActor in
                let endpoint: any ServerEndpoint
                do { endpoint = try serverFromString(reactor, listen) } catch { throw StartError.badDescription(error) }
                let port: any ListeningPort
                do { port = try await endpoint.listen(makeFactory(reactor)).value } catch { throw StartError.cannotListen(error) }
                WebServing.printLine("\(name): listening on \(port.host)")
            }
            return 0
        } catch StartError.badDescription(let error) {
            printError("twister \(name): \(error)")
            return 2
        } catch StartError.cannotListen(let error) {
            printError("twister \(name): cannot listen on \(listen): \(error)")
            return 1
        } catch {
            printError("twister \(name): \(error)")
            return 1
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Foundation.Data((line + "\n").utf8))
    }
}
