import TwisterProtocols
import TwisterHTTP

/// Decodes compressed responses on top of another agent (Twisted's `ContentDecoderAgent` with the gzip
/// decoder; deflate too).
///
/// Contract: requests carry `Accept-Encoding: gzip, deflate` (unless the caller set one). A response whose
/// Content-Encoding ends in codings this agent knows is presented with those codings removed from the header,
/// without Content-Length (`length` nil), and its body decoded as it streams, last coding first. Unknown
/// codings stop the unwinding (the rest is left encoded, as Twisted does). Corrupt or truncated compressed data
/// ends the body with ``ResponseFailed`` holding a ``ContentDecodingError``.
@ReactorActor
public final class ContentDecoderAgent: HTTPAgent {
    public let agent: any HTTPAgent
    static let known = ["gzip", "x-gzip", "deflate"]

    public init(_ agent: any HTTPAgent) { self.agent = agent }

    public func request(_ method: String, _ url: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)?) -> Deferred<AgentResponse> {
        var h = headers
        if !h.contains("Accept-Encoding") { h.add("Accept-Encoding", "gzip, deflate") }
        return agent.request(method, url, headers: h, bodyProducer: bodyProducer).addCallback { r in
            try Self.decoded(r)
        }
    }

    /// `r` with its known content codings undone (or `r` itself when it has none).
    static func decoded(_ r: AgentResponse) throws -> AgentResponse {
        var codings: [String] = []
        for v in r.headers.values("Content-Encoding") {
            for part in v.split(separator: ",") {
                let c = part.trimmingSpaces.lowercased()
                if !c.isEmpty && c != "identity" { codings.append(c) }
            }
        }
        var formats: [ZlibDecoder.Format] = []
        while let last = codings.last, known.contains(last) {
            formats.append(last == "deflate" ? .deflate : .gzip)
            codings.removeLast()
        }
        guard !formats.isEmpty else { return r }
        var headers = r.headers
        headers.remove("Content-Encoding")
        if !codings.isEmpty { headers.add("Content-Encoding", codings.joined(separator: ", ")) }
        headers.remove("Content-Length")
        return AgentResponse(wrapping: r, headers: headers, length: nil) { proto in
            r.deliverBody(DecodingBodyProtocol(formats, proto))
        }
    }
}

/// Sits between a response and the caller's body protocol, decompressing as bytes arrive.
@ReactorActor
final class DecodingBodyProtocol: Protocol {
    private let formats: [ZlibDecoder.Format]
    private var decoders: [ZlibDecoder] = []
    private let inner: Protocol
    private var failed: (any Error)?

    init(_ formats: [ZlibDecoder.Format], _ inner: Protocol) {
        self.formats = formats
        self.inner = inner
    }

    override func connectionMade() {
        do {
            decoders = try formats.map { try ZlibDecoder($0) }
        } catch {
            failed = error
        }
        inner.makeConnection(transport!)
        if failed != nil { transport?.stopProducing() }
    }

    override func dataReceived(_ data: ByteBuffer) {
        guard failed == nil else { return }
        do {
            var buf = data
            for d in decoders {
                buf = try d.decode(buf)
                if buf.isEmpty { return }
            }
            inner.dataReceived(buf)
        } catch {
            failed = error
            transport?.stopProducing()
        }
    }

    override func connectionLost(_ reason: Failure) {
        var reason = reason
        if let failed {
            reason = Failure(ResponseFailed([failed]))
        } else if reason.check(ResponseDone.self) {
            do { for d in decoders { try d.finish() } } catch { reason = Failure(ResponseFailed([error])) }
        }
        inner.connected = false
        inner.connectionLost(reason)
    }
}
