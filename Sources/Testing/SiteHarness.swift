import Foundation
import TwisterWebServer

/// A ``Site`` over a ``StringTransport``, driven by a ``Clock``: one connection of a server, fed and read as
/// strings (the harness of the web test targets).
///
/// Contract: `init` builds the site's channel and connects it to the transport; ``send(_:)`` delivers bytes as
/// received from the peer; ``take()`` returns everything written since the last call, without `Date:` header
/// lines (they change with the clock), and clears it. With `useClock: false` the site has no timeouts.
@ReactorActor
public struct SiteHarness {
    public let site: Site
    public let transport: StringTransport
    public let channel: HTTPChannel
    public let clock: Clock

    public init(_ root: Resource, settings: HTTPServerSettings = HTTPServerSettings(), useClock: Bool = true) {
        clock = Clock()
        site = Site(root, settings: settings, clock: useClock ? clock : nil)
        transport = StringTransport()
        channel = site.buildProtocol(transport.peer) as! HTTPChannel
        transport.connect(channel)
    }

    /// Delivers `s` to the channel as bytes from the peer.
    public func send(_ s: String) { transport.receive(s) }

    /// Output so far with Date headers removed, cleared.
    public func take() -> String { Self.withoutDateHeaders(transport.take()) }

    /// `s` without its `Date:` header lines, which change with the clock.
    public nonisolated static func withoutDateHeaders(_ s: String) -> String {
        var out: [Substring] = []
        for line in s.split(separator: "\r\n", omittingEmptySubsequences: false) where !line.hasPrefix("Date: ") {
            out.append(line)
        }
        return out.joined(separator: "\r\n")
    }

    /// The status code of each HTTP/1.1 response in `output` (1xx included), in order.
    public nonisolated static func statuses(_ output: String) -> [Int] {
        output.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
    }
}
