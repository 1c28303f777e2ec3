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

/// Feeds `input` to a fresh harness split at every byte boundary (and byte by byte), checking that the
/// output is the same as when it arrives in one piece. Returns that output.
@ReactorActor
@discardableResult
func outputAtEverySplit(_ input: String, settings: HTTPServerSettings = HTTPServerSettings(),
                        root: @ReactorActor () -> Resource = { EchoResource() },
                        sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let whole = SiteHarness(root(), settings: settings)
    whole.send(input)
    let expected = whole.take()
    let bytes = Array(input.utf8)
    for i in 1..<max(bytes.count, 1) {
        let h = SiteHarness(root(), settings: settings)
        h.transport.receive(ByteBuffer(bytes: bytes[..<i]))
        h.transport.receive(ByteBuffer(bytes: bytes[i...]))
        #expect(h.take() == expected, "split at \(i)", sourceLocation: sourceLocation)
    }
    let h = SiteHarness(root(), settings: settings)
    for b in bytes { h.transport.receive(ByteBuffer(bytes: [b])) }
    #expect(h.take() == expected, "byte by byte", sourceLocation: sourceLocation)
    return expected
}
