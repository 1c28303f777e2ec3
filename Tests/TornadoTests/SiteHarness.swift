import Testing
import TwisterWeb
import TwisterTesting

// A copy of WebServerTests' Site harness (test targets cannot share files): a Site over a StringTransport,
// driven by a Clock.

@ReactorActor
struct Harness {
    let site: Site
    let transport: StringTransport
    let channel: HTTPChannel
    let clock: Clock

    init(_ root: Resource, settings: HTTPServerSettings = HTTPServerSettings(), useClock: Bool = true) {
        clock = Clock()
        site = Site(root, settings: settings, clock: useClock ? clock : nil)
        transport = StringTransport()
        channel = site.buildProtocol(transport.peer) as! HTTPChannel
        transport.connect(channel)
    }

    func send(_ s: String) { transport.receive(s) }

    /// Output so far with Date headers removed, cleared.
    func take() -> String { normalize(transport.take()) }
}

/// Removes `Date:` header lines, which change with the clock.
func normalize(_ s: String) -> String {
    var out: [Substring] = []
    for line in s.split(separator: "\r\n", omittingEmptySubsequences: false) where !line.hasPrefix("Date: ") {
        out.append(line)
    }
    return out.joined(separator: "\r\n")
}

/// The status code of each response in `output` (1xx included).
func statuses(_ output: String) -> [Int] {
    output.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
}
