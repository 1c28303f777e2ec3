import Foundation
import TwisterWeb

/// `twister web --listen ENDPOINT --path DIR`: serves DIR as static files (Twisted's `twist web --path`), with
/// directory listings (unless `--no-listing`) and a combined-format access log on stdout (unless
/// `--no-access-log`). Stops cleanly on SIGINT/SIGTERM. Returns the exit status.
enum WebCommand {
    static let usage = "usage: twister web [--listen ENDPOINT] [--path DIR] [--no-listing] [--no-access-log]   (defaults: tcp:8080, .)"

    static func run(_ arguments: [String]) -> Int32 {
        var listen = "tcp:8080"
        var path = "."
        var listing = true
        var accessLog = true
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--listen" where i + 1 < arguments.count: listen = arguments[i + 1]; i += 2
            case "--path" where i + 1 < arguments.count: path = arguments[i + 1]; i += 2
            case "--no-listing": listing = false; i += 1
            case "--no-access-log": accessLog = false; i += 1
            case "-h", "--help": print(usage); return 0
            default:
                FileHandle.standardError.write(Foundation.Data("twister web: unknown argument \(arguments[i])\n\(usage)\n".utf8))
                return 2
            }
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            FileHandle.standardError.write(Foundation.Data("twister web: no such file or directory: \(path)\n".utf8))
            return 2
        }
        let root = path
        return WebServing.serve(name: "web", listen: listen) { reactor in
            let file = StaticFile(root)
            file.allowDirectoryListing = listing
            let site = Site(file, clock: reactor)
            if accessLog { site.accessLog = WebServing.printLine }
            return site
        }
    }
}
