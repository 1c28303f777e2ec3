import TwisterProtocols
import TwisterHTTP

/// What a response body's reader can ask of the connection it comes from.
@ReactorActor
protocol ResponseBodySource: AnyObject {
    /// Stop reading from the network (flow control); bytes already received are still delivered.
    func pauseBody()
    func resumeBody()
    /// The body now has a reader: reading may go on (the connection is paused until then).
    func bodyDelivered()
    /// Abandon the body: the connection is aborted and the body ends with `ResponseFailed([reason])`.
    func stopBody(_ reason: any Error)
    var peerAddress: Address { get }
    var hostAddress: Address { get }
}

/// An HTTP response as the Agent delivers it (Twisted's `IResponse`): status, headers, and a body that is
/// streamed to a protocol of the caller's choosing.
///
/// Contract:
/// - Until ``deliverBody(_:)`` the connection is paused and body bytes already read are buffered.
/// - `deliverBody(p)` calls `p.makeConnection(t)` (`t` is a transport whose pause/resume throttle the
///   connection and whose `loseConnection`/`stopProducing` abandon the body), then `p.dataReceived` for each
///   slice in order, then `p.connectionLost` once with a reason: ``ResponseDone`` when the body is whole,
///   ``PotentialDataLoss`` when it had no length and ended by close, ``ResponseFailed`` when it was cut or
///   malformed (or abandoned). If the body already ended, buffered data and the end are replayed at once.
/// - A second `deliverBody` gets `connectionLost(ResponseFailed([BodyAlreadyDelivered()]))` straight away.
@ReactorActor
public final class AgentResponse {
    public let version: (major: Int, minor: Int)
    /// Status code (Twisted's `code`).
    public let code: Int
    /// Reason phrase (Twisted's `phrase`).
    public let phrase: String
    public let headers: HTTPHeaders
    /// The body length when known in advance (Content-Length, or 0 for no body); nil when unknown.
    public let length: Int?
    /// The request this answers.
    public internal(set) var request: AgentRequest?
    /// The absolute URL requested.
    public internal(set) var url: String
    /// The redirect response that led here, if redirects were followed.
    public internal(set) var previousResponse: AgentResponse?

    private enum BodyState {
        case initial([ByteBuffer])
        case connected(Protocol)
        case ended([ByteBuffer], any Error)
        case finished
    }
    private var bodyState: BodyState = .initial([])
    private var source: (any ResponseBodySource)?
    /// Set by `bodyDataFinishedWhole`.
    private var endedWhole = false
    private let forward: ((Protocol) -> Void)?

    init(head: HTTPResponseParser.Head, length: Int?, url: String, request: AgentRequest?, source: any ResponseBodySource) {
        version = (head.major, head.minor)
        code = head.code
        phrase = head.reason
        headers = head.headers
        self.length = length
        self.url = url
        self.request = request
        self.source = source
        forward = nil
    }

    /// A response that presents `original` with other headers/length and hands `deliverBody` to `deliver`
    /// (used by wrapping agents such as the content decoder; Twisted's `proxyForInterface(IResponse)`).
    public init(wrapping original: AgentResponse, headers: HTTPHeaders, length: Int?, deliver: @escaping (Protocol) -> Void) {
        version = original.version
        code = original.code
        phrase = original.phrase
        self.headers = headers
        self.length = length
        url = original.url
        request = original.request
        previousResponse = original.previousResponse
        forward = deliver
    }

    /// Streams the body to `proto` (see the type's contract).
    public func deliverBody(_ proto: Protocol) {
        if let forward {
            if case .finished = bodyState {
                proto.makeConnection(ResponseBodyTransport(source: nil))
                proto.connectionLost(Failure(ResponseFailed([BodyAlreadyDelivered()])))
                return
            }
            bodyState = .finished
            forward(proto)
            return
        }
        switch bodyState {
        case .initial(let buffered):
            bodyState = .connected(proto)
            proto.makeConnection(ResponseBodyTransport(source: source))
            for b in buffered { proto.dataReceived(b) }
            if case .connected = bodyState { source?.bodyDelivered() }
        case .ended(let buffered, let reason):
            bodyState = .finished
            proto.makeConnection(ResponseBodyTransport(source: nil))
            for b in buffered { proto.dataReceived(b) }
            proto.connected = false
            proto.connectionLost(Failure(reason))
        case .connected, .finished:
            proto.makeConnection(ResponseBodyTransport(source: nil))
            proto.connected = false
            proto.connectionLost(Failure(ResponseFailed([BodyAlreadyDelivered()])))
        }
    }

    /// The whole body, when it already ended with ``ResponseDone`` and was never delivered: the body counts as
    /// delivered from then on (as if a protocol had taken it; `readBody`'s fast path). Nil otherwise.
    func takeCompleteBody() -> ByteBuffer? {
        guard forward == nil, endedWhole, case .ended(let buffered, _) = bodyState else { return nil }
        bodyState = .finished
        var body = ByteBuffer()
        for b in buffered {
            if body.isEmpty { body = b } else { body.writeImmutableBuffer(b) }
        }
        return body
    }

    /// True once the body protocol (if any) was told the body ended.
    var bodyFinished: Bool {
        switch bodyState { case .ended, .finished: return true; default: return false }
    }

    // MARK: called by the client protocol

    func bodyDataReceived(_ data: ByteBuffer) {
        switch bodyState {
        case .initial(var buffered):
            bodyState = .finished // drop the array reference so the append does not copy
            buffered.append(data)
            bodyState = .initial(buffered)
        case .connected(let p):
            p.dataReceived(data)
        case .ended, .finished:
            break
        }
    }

    /// The body ended whole (its framing said so): `bodyDataFinished(ResponseDone())`, noted without a cast.
    func bodyDataFinishedWhole() {
        endedWhole = true
        bodyDataFinished(ResponseDone())
    }

    func bodyDataFinished(_ reason: any Error) {
        switch bodyState {
        case .initial(let buffered):
            bodyState = .ended(buffered, reason)
            source = nil
        case .connected(let p):
            bodyState = .finished
            source = nil
            p.connected = false
            p.connectionLost(Failure(reason))
        case .ended, .finished:
            break
        }
    }
}
