import Foundation
import TwisterWeb

/// `twister COMMAND [options]`: one executable whose subcommands run the stack. Each command is a type with
/// `static func run(_ arguments: [String]) -> Int32` (the exit status) in its own file; list it here.
let commands: [(name: String, summary: String, run: ([String]) -> Int32)] = [
    ("echo", "echo --listen ENDPOINT            TCP echo server (default tcp:8007)", EchoCommand.run),
    ("hello", "hello --listen ENDPOINT           answer every request with Hello, World! (default tcp:8080)", HelloCommand.run),
    ("web", "web --listen ENDPOINT --path DIR  serve a directory over HTTP (default tcp:8080, .)", WebCommand.run),
    ("chat", "chat --listen ENDPOINT            Tornado's chat demo (default tcp:8888)", ChatCommand.run),
    ("hello-app", "hello-app --listen ENDPOINT [--async]  Hello, World! through an Application handler (default tcp:8888)", HelloAppCommand.run),
    ("get", "get [-i] URL                      fetch a URL and print the body as it streams in", GetCommand.run),
]

@MainActor func printUsage() {
    print("usage: twister <command> [options]\n\ncommands:")
    for c in commands { print("  " + c.summary) }
    print("\nENDPOINT is an endpoint description: tcp:8080, tcp:0:interface=127.0.0.1, tcp6:8080, unix:/path")
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, name != "-h", name != "--help" else {
    printUsage()
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("twister: unknown command '\(name)'\n".utf8))
    printUsage()
    exit(2)
}
exit(command.run(Array(arguments.dropFirst())))
