import Foundation
import Synchronization
import TwisterWeb

/// `twister get URL`: a small curl. Prints the response body to stdout as it streams in; `-i` prints the status
/// line and headers first. Follows redirects and decodes gzip/deflate unless told not to. Exit status: 0 when a
/// response arrived (whatever its code, as curl), 1 on a network error or timeout, 2 on bad arguments.
enum GetCommand {
    static let usage = """
    usage: twister get [options] URL
      -i, --include            print the status line and headers first
      -X, --request METHOD     method (default GET)
      -H, --header 'N: V'      add a request header (repeatable)
      -d, --data DATA          send DATA as the body (default method POST)
      --unix PATH              connect to this UNIX socket whatever the URL's host
      --endpoint DESC          connect through this client endpoint (tcp:host=H:port=P, unix:PATH)
      --no-redirects           do not follow redirects
      --raw                    do not ask for or decode gzip/deflate
      --max-time SECONDS       give up after SECONDS (default: no limit, for endless streams)
      --connect-timeout S      connect timeout (default 20)
    """

    static func run(_ arguments: [String]) -> Int32 {
        var include = false
        var method: String?
        var headers = HTTPHeaders()
        var data: String?
        var endpoint: String?
        var follow = true
        var decompress = true
        var maxTime: Double?
        var connectTimeout: Double = 20
        var url: String?
        var i = 0
        func value() -> String? {
            guard i + 1 < arguments.count else { return nil }
            i += 1
            return arguments[i]
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "-i", "--include": include = true
            case "-X", "--request": method = value()
            case "-H", "--header":
                guard let h = value(), let colon = h.firstIndex(of: ":") else { return bad("bad header") }
                headers.add(String(h[..<colon]), h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            case "-d", "--data": data = value()
            case "--unix": endpoint = value().map { "unix:" + $0 }
            case "--endpoint": endpoint = value()
            case "--no-redirects": follow = false
            case "--raw": decompress = false
            case "--max-time": guard let v = value().flatMap(Double.init) else { return bad("bad --max-time") }; maxTime = v
            case "--connect-timeout": guard let v = value().flatMap(Double.init) else { return bad("bad --connect-timeout") }; connectTimeout = v
            case "-h", "--help": print(usage); return 0
            default:
                if a.hasPrefix("-") || url != nil { return bad("unknown argument \(a)") }
                url = a
            }
            i += 1
        }
        guard let url else { return bad("no URL") }
        var request = FetchRequest(url, method: method ?? (data == nil ? "GET" : "POST"), headers: headers, body: data.map { ByteBuffer(string: $0) })
        request.followRedirects = follow
        request.decompressResponse = decompress
        request.requestTimeout = maxTime
        request.connectTimeout = connectTimeout
        let reactor = Reactor.shared
        let out = FileHandle.standardOutput
        let sendableRequest = UnsafeSendable(request)
        let endpointOverride = endpoint
        let includeHead = include
        reactor.callWhenRunning {
            var request = sendableRequest.value
            let connector = EndpointAgentConnector(reactor: reactor, endpointOverride: endpointOverride)
            let client = HTTPClient(connector: connector, clock: reactor)
            if includeHead {
                var head = ""
                request.headerCallback = { line in
                    head += line
                    if line == "\r\n" { out.write(Data(head.utf8)); head = "" }
                }
            }
            request.streamingCallback = { chunk in
                chunk.withUnsafeReadableBytes { out.write(Data($0)) }
            }
            _ = client.fetch(request, raiseError: false).addCallbacks({ (_: FetchResponse) -> Void in
                reactor.stop()
            }, { (f: Failure) -> Void in
                FileHandle.standardError.write(Data("twister get: \(f.error)\n".utf8))
                exitStatus.store(1, ordering: .relaxed)
                reactor.stop()
            })
        }
        reactor.run()
        return exitStatus.load(ordering: .relaxed)
    }

    private static func bad(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("twister get: \(message)\n\(usage)\n".utf8))
        return 2
    }
}

/// The exit status, set on the reactor thread and read after `run()` returns.
private let exitStatus = Atomic<Int32>(0)

/// Carries the request (its callbacks are reactor-isolated closures) into the reactor's startup call.
/// Safe: it is created before the reactor runs and only read on the reactor thread afterwards.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
