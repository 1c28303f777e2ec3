import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// One parsed HTTP response from a test harness.
struct TornadoResponse {
    var code: Int
    var reason: String
    var headers: HTTPHeaders
    var body: String
    var bodyBytes: [UInt8]
    var raw: String
    func header(_ name: String) -> String? { headers[name] }
}

/// Parses every response in `output` (Content-Length, chunked or empty bodies).
func parseResponses(_ output: [UInt8], headRequests: Int = 0) -> [TornadoResponse] {
    var out: [TornadoResponse] = []
    var i = 0
    let bytes = output
    while i < bytes.count {
        guard let end = find(bytes, Array("\r\n\r\n".utf8), from: i) else { break }
        let head = String(decoding: bytes[i..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let status = lines.removeFirst()
        let parts = status.split(separator: " ", maxSplits: 2)
        var h = HTTPHeaders()
        for l in lines { if let c = l.firstIndex(of: ":") { h.add(String(l[..<c]), String(l[l.index(after: c)...]).trimmingCharacters(in: .whitespaces)) } }
        var pos = end + 4
        var body: [UInt8] = []
        let code = Int(parts[1]) ?? 0
        if let te = h["Transfer-Encoding"], te == "chunked" {
            while true {
                guard let le = find(bytes, [13, 10], from: pos) else { break }
                let n = Int(String(decoding: bytes[pos..<le], as: UTF8.self), radix: 16) ?? 0
                pos = le + 2
                if n == 0 { pos += 2; break }
                body += bytes[pos..<min(bytes.count, pos + n)]
                pos += n + 2
            }
        } else if let cl = h["Content-Length"].flatMap({ Int($0) }), out.count >= headRequests {
            body = Array(bytes[pos..<min(bytes.count, pos + cl)])
            pos += cl
        }
        out.append(TornadoResponse(code: code, reason: parts.count > 2 ? String(parts[2]) : "", headers: h,
                                   body: String(decoding: body, as: UTF8.self), bodyBytes: body,
                                   raw: String(decoding: bytes[i..<min(pos, bytes.count)], as: UTF8.self)))
        i = pos
    }
    return out
}

private func find(_ hay: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
    guard hay.count >= needle.count else { return nil }
    var i = from
    while i <= hay.count - needle.count {
        if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
        i += 1
    }
    return nil
}

/// An Application on a Site over a StringTransport: send requests, read parsed responses.
@ReactorActor
final class AppHarness {
    let app: Application
    let harness: SiteHarness

    init(_ handlers: [URLSpec], settings: ApplicationSettings = ApplicationSettings(), configure: (Application) -> Void = { _ in }) {
        app = Application(handlers, settings: settings)
        configure(app)
        harness = SiteHarness(app)
    }

    /// Sends one request and returns the response written so far (nil if none yet).
    @discardableResult
    func fetch(_ path: String, method: String = "GET", headers: [(String, String)] = [], body: String? = nil) -> TornadoResponse? {
        var s = "\(method) \(path) HTTP/1.1\r\nHost: example.com\r\n"
        for (k, v) in headers { s += "\(k): \(v)\r\n" }
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { s += "Content-Type: application/x-www-form-urlencoded\r\n" }
            s += "Content-Length: \(body.utf8.count)\r\n"
        }
        s += "\r\n" + (body ?? "")
        harness.send(s)
        return take(head: method == "HEAD")
    }

    func take(head: Bool = false) -> TornadoResponse? {
        let out = harness.transport.takeBytes()
        return parseResponses(Array(out.readableBytesView), headRequests: head ? 1 : 0).first
    }
}

/// A handler built from closures, for one-off tests.
@ReactorActor
final class BlockHandler: RequestHandler {
    var onGet: ((BlockHandler) throws -> HandlerResult)?
    var onPost: ((BlockHandler) throws -> HandlerResult)?
    var onPrepare: ((BlockHandler) throws -> HandlerResult)?
    override func prepare() throws -> HandlerResult { try onPrepare?(self) ?? .done }
    override func get() throws -> HandlerResult {
        guard let onGet else { throw HTTPError(405) }
        return try onGet(self)
    }
    override func post() throws -> HandlerResult {
        guard let onPost else { throw HTTPError(405) }
        return try onPost(self)
    }
}

/// A route to a BlockHandler.
@ReactorActor
func route(_ pattern: String, name: String? = nil,
           get: ((BlockHandler) throws -> HandlerResult)? = nil,
           post: ((BlockHandler) throws -> HandlerResult)? = nil,
           prepare: ((BlockHandler) throws -> HandlerResult)? = nil) -> URLSpec {
    // The closures are given typed, by the route's initialize closure (no `[String: Any]`).
    URLSpec(pattern, BlockHandler.self, name: name) { h in
        h.onGet = get
        h.onPost = post
        h.onPrepare = prepare
    }
}
