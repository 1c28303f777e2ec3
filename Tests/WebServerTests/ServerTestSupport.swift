import Testing
@testable import TwisterWebServer
import TwisterWeb
import TwisterTesting

/// A resource answering GET with a fixed body, POST with the request body, recording what it saw.
@ReactorActor
final class EchoResource: Resource {
    var seen: [Request] = []
    override var isLeaf: Bool { true }
    override var allowedMethods: [String] { ["GET", "HEAD", "POST"] }
    override func renderGET(_ request: Request) throws -> RenderResult {
        seen.append(request)
        return .text("path=\(request.path)")
    }
    override func renderPOST(_ request: Request) throws -> RenderResult {
        seen.append(request)
        return .body(request.content.bytes())
    }
}

/// A resource that keeps every request open (NOT_DONE_YET) for the test to finish.
@ReactorActor
final class HoldingResource: Resource {
    var held: [Request] = []
    override var isLeaf: Bool { true }
    override func render(_ request: Request) throws -> RenderResult {
        held.append(request)
        return .notDoneYet
    }
}

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

/// Feeds `input` to a fresh harness split at every byte boundary (and byte by byte), checking that the
/// output is the same as when it arrives in one piece. Returns that output.
@ReactorActor
@discardableResult
func outputAtEverySplit(_ input: String, settings: HTTPServerSettings = HTTPServerSettings(),
                        root: @ReactorActor () -> Resource = { EchoResource() },
                        sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let whole = Harness(root(), settings: settings)
    whole.send(input)
    let expected = whole.take()
    let bytes = Array(input.utf8)
    for i in 1..<max(bytes.count, 1) {
        let h = Harness(root(), settings: settings)
        h.transport.receive(ByteBuffer(bytes: bytes[..<i]))
        h.transport.receive(ByteBuffer(bytes: bytes[i...]))
        #expect(h.take() == expected, "split at \(i)", sourceLocation: sourceLocation)
    }
    let h = Harness(root(), settings: settings)
    for b in bytes { h.transport.receive(ByteBuffer(bytes: [b])) }
    #expect(h.take() == expected, "byte by byte", sourceLocation: sourceLocation)
    return expected
}

/// The status code of each response in `output` (1xx included).
func statuses(_ output: String) -> [Int] {
    output.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
}
