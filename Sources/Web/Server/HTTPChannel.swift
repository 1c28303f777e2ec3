import TwisterProtocols
import TwisterHTTP

/// The HTTP/1.1 server protocol of one connection (Twisted's `HTTPChannel`).
///
/// Contract (all on the reactor thread):
/// - Bytes are parsed incrementally as they arrive, in any chunking; nothing already scanned is scanned again.
/// - One request at a time: once a request's head and body are in, it is handed to the ``Site`` (or the
///   `processor` given at init) and later bytes are only buffered (reading pauses above
///   ``HTTPServerSettings/maxPipelineBuffer``) until that request finishes; so responses go out strictly in
///   request order.
/// - Persistence: HTTP/1.1 stays open unless either side says `Connection: close`; HTTP/1.0 closes unless the
///   client sent `Connection: keep-alive` and the response has a Content-Length. A closing channel ignores
///   later bytes.
/// - `Expect: 100-continue` on HTTP/1.1 gets `100 Continue` as soon as the head has been handled (or, when the
///   resource held the body back with ``Request/holdBody()``, on ``Request/releaseBody()``), unless the declared
///   body is too large (413).
/// - Body size: ``HTTPServerSettings/maxBodySize``, or the request's own limit when the resource changed it from
///   ``Site/headReceived(_:)`` (``Request/setMaxBodySize(_:)``), bounds Content-Length and chunked bodies alike;
///   above it the answer is 413 and a close. A Content-Length over the default is checked after the head has
///   been handled (or the body released), before any body byte is read or `100 Continue` is sent.
/// - Refused input gets a short plain-text error (400, 408, 413, 414, 431, 505) with `Connection: close`, then the
///   connection is closed; if the peer does not go away it is aborted after ``HTTPServerSettings/abortTimeout``.
/// - Timeouts (only when a ``ReactorTime`` is given): idle (reset by any input; off while a request is being
///   answered) and header-read (from the first byte of a head to its end).
/// - Backpressure: the channel is the transport's streaming producer. When the transport's write buffer is full
///   the channel stops reading and pauses the response producer; it resumes both when the buffer drains.
@ReactorActor
public final class HTTPChannel: Protocol, Producer {
    public let settings: HTTPServerSettings
    let site: Site?
    private let processor: ((Request) -> Void)?
    let clock: (any ReactorTime)?

    enum State { case head, body, answering, closing, switched }
    // Stored vars are `@exclusivity(unchecked)` (Docs/internals/design.md, "No dynamic exclusivity checks"): the channel is
    // confined to the reactor thread, and no access to them spans a call into user code. The only long accesses
    // are `headParser.parse(&inbound)` and `bodyDecoder!.decode(&inbound) { … }`, whose closure appends to our
    // own `RequestBody` or to a local array (a streamer gets its pieces after `decode` returns); resources,
    // producers and timers are called with values copied out first.
    /// The protocol the connection was handed to by ``Request/switchProtocols(to:)``.
    @exclusivity(unchecked) public private(set) var switchedProtocol: Protocol?
    @exclusivity(unchecked) var state = State.head
    @exclusivity(unchecked) private var inbound = ByteBuffer()
    /// Set when `inbound` held more than 4 KiB: it is then replaced once empty, so that an idle connection does
    /// not keep a large buffer.
    @exclusivity(unchecked) private var inboundGrew = false
    @exclusivity(unchecked) private var headParser: HTTPRequestHeadParser
    @exclusivity(unchecked) private var bodyDecoder: HTTPBodyDecoder?
    @exclusivity(unchecked) private var bodyStreamer: (any RequestBodyStreamer)?
    /// The body-size limit of the request being read: ``HTTPServerSettings/maxBodySize`` unless the application
    /// changed it (``Request/setMaxBodySize(_:)``) before the body was read.
    @exclusivity(unchecked) public private(set) var maxBodySize: Int
    /// The resource holds the body back (``Request/holdBody()``): it is not decoded, and the Content-Length check
    /// and `100 Continue` wait, until ``Request/releaseBody()``.
    @exclusivity(unchecked) private var bodyHeld = false
    /// The head has been handled while the body was held: its checks and `100 Continue` are left to the release.
    @exclusivity(unchecked) private var bodyStartPending = false
    @exclusivity(unchecked) private var declaredLength: Int?
    @exclusivity(unchecked) private var expectsContinue = false
    @exclusivity(unchecked) private var parsing = false
    /// Why reading from the transport is paused: reading resumes when the set is empty (see
    /// ``pauseReading(_:)``, HTTPChannel+FlowControl.swift).
    @exclusivity(unchecked) var readPause: ReadPauseReasons = []
    /// The peer shut down its sending side.
    @exclusivity(unchecked) private var readClosed = false
    /// The request being answered.
    @exclusivity(unchecked) public private(set) var current: Request?
    /// Number of requests read on this connection.
    @exclusivity(unchecked) public private(set) var requestCount = 0

    @exclusivity(unchecked) private var registeredWithTransport = false
    @exclusivity(unchecked) var responseProducer: (any Producer)?
    @exclusivity(unchecked) var responseStreaming = false
    @exclusivity(unchecked) var drivingPull = false

    @exclusivity(unchecked) var lastActivity: Double = 0
    @exclusivity(unchecked) var idleCall: (any DelayedCall)?
    @exclusivity(unchecked) var headerCall: (any DelayedCall)?
    @exclusivity(unchecked) var abortCall: (any DelayedCall)?

    /// A channel serving `site`.
    public init(site: Site, settings: HTTPServerSettings, clock: (any ReactorTime)?) {
        self.site = site
        self.processor = nil
        self.settings = settings
        self.clock = clock
        self.headParser = HTTPRequestHeadParser(settings: settings)
        self.maxBodySize = settings.maxBodySize
        super.init()
    }

    /// A channel handing every request to `processor` (which must eventually call `request.finish()`).
    public init(settings: HTTPServerSettings = HTTPServerSettings(), clock: (any ReactorTime)? = Reactor.shared,
                processor: @escaping (Request) -> Void) {
        self.site = nil
        self.processor = processor
        self.settings = settings
        self.clock = clock
        self.headParser = HTTPRequestHeadParser(settings: settings)
        self.maxBodySize = settings.maxBodySize
        super.init()
    }

    // MARK: Protocol

    public override func connectionMade() {
        if let t = transport as? any TCPTransport { t.noDelay = true }
        transport?.registerProducer(self, streaming: true)
        registeredWithTransport = true
        if let clock, let idle = settings.idleTimeout {
            lastActivity = clock.seconds()
            idleCall = clock.callLater(idle) { [self] in idleCheck() }
        }
    }

    public override func dataReceived(_ data: ByteBuffer) {
        if state == .switched { switchedProtocol?.dataReceived(data); return }
        if state == .closing { return }
        if let clock { lastActivity = clock.seconds() }
        // Copy into our own buffer rather than keep the transport's: the reactor reuses its 64 KiB read buffer,
        // and sharing it would force a fresh 64 KiB allocation on its next read (copy-on-write).
        inbound.writeImmutableBuffer(data)
        if inbound.readableBytes > 4096 { inboundGrew = true }
        if state == .answering {
            if inbound.readableBytes > settings.maxPipelineBuffer && !readPause.contains(.pipeline) {
                pauseReading(.pipeline)
            }
            return
        }
        processInbound()
    }

    /// A client may shut down its sending side once its request is sent (`nc`, some proxies): the responses to
    /// the requests it sent are still written, then the connection is closed.
    public override var wantsHalfClose: Bool { true }

    public override func readConnectionLost() {
        readClosed = true
        switch state {
        case .switched:
            if let p = switchedProtocol {
                if p.wantsHalfClose { p.readConnectionLost() } else { transport?.loseConnection() }
            }
        case .answering:
            break   // requestDone goes on with the buffered requests, then closes.
        case .head:
            processInbound()
            if state == .head { close() }
        case .body, .closing:
            close()
        }
    }

    public override func connectionLost(_ reason: Failure) {
        if state == .switched, let p = switchedProtocol {
            p.connected = false
            p.connectionLost(reason)
            return
        }
        state = .closing
        idleCall?.cancel(); headerCall?.cancel(); abortCall?.cancel()
        idleCall = nil; headerCall = nil; abortCall = nil
        if let p = responseProducer { responseProducer = nil; p.stopProducing() }
        if let r = current { current = nil; r.connectionLost(reason) }
        inbound = ByteBuffer()
    }

    // MARK: parsing

    private func processInbound() {
        if parsing { return }
        parsing = true
        defer { parsing = false }
        while true {
            switch state {
            case .head:
                let parsed: HTTPRequestHead?
                do { parsed = try headParser.parse(&inbound) } catch { refuse(error); return }
                // `consume`: the head moves on to the request; no copy is left to destroy here.
                guard let head = consume parsed else {
                    if readClosed { close(); return }
                    if headParser.inProgress { armHeaderTimer() }
                    else if inboundGrew && inbound.isEmpty { inbound = ByteBuffer(); inboundGrew = false }
                    return
                }
                startRequest(head)
            case .body:
                if bodyHeld { return }
                let request = current!
                let streamer = bodyStreamer
                let body = request.content
                let done: Bool
                // A streamer gets its pieces after `decode` returns: it may answer (and so close the channel,
                // which resets `inbound`) from `bodyDataReceived`, which must not happen while `inbound` is
                // being decoded.
                var pieces: [ByteBuffer] = []
                do {
                    done = try bodyDecoder!.decode(&inbound) { piece in
                        if streamer != nil { pieces.append(piece) } else { body.append(piece) }
                    }
                } catch { refuse(error); return }
                if let streamer {
                    for piece in pieces {
                        guard state == .body, current === request else { return }
                        streamer.bodyDataReceived(piece)
                    }
                    guard state == .body, current === request else { return }
                }
                if !done { return }
                bodyDecoder = nil
                bodyStreamer = nil
                state = .answering
                if request.content.spillError != 0 {
                    request.setResponseCode(500)
                    request.writeAndFinish(ByteBuffer(string: "request body could not be stored\n"))
                    continue
                }
                if let streamer { streamer.bodyFinished() }
                if let site { site.render(request) } else { processor?(request) }
            case .answering:
                if inbound.readableBytes > settings.maxPipelineBuffer && !readPause.contains(.pipeline) {
                    pauseReading(.pipeline)
                }
                return
            case .closing, .switched:
                return
            }
        }
    }

    private func startRequest(_ head: consuming HTTPRequestHead) {
        headerCall?.cancel(); headerCall = nil
        maxBodySize = settings.maxBodySize
        bodyHeld = false
        bodyStartPending = false
        // Over the default limit: refused at once, unless a Site's resource may raise the limit for this request
        // (a streaming handler's `prepare`); the declared length is then checked once the head has been handled.
        var overDefault = false
        if case .length(let n) = head.framing, n > maxBodySize {
            if site == nil { refuse(HTTPParseError(413, "request body too large")); return }
            overDefault = true
        }
        let persistent = head.minorVersion == 1 ? !head.connectionClose : (head.connectionKeepAlive && !head.connectionClose)
        requestCount += 1
        if head.framing == .none {
            // (The head is consumed: its strings and headers move into the request, with no copy to destroy.)
            // The hot path: no body, so traverse and render at once.
            state = .answering
            let request = Request(head: head, body: RequestBody.empty(), channel: self, persistent: persistent)
            current = request
            if let site { site.process(request) } else { processor?(request) }
            return
        }
        var declared: Int? = nil
        if case .length(let n) = head.framing { declared = n }
        let body = (overDefault ? nil : site?.contentFileHook?(declared))
            ?? RequestBody(inMemoryLimit: settings.maxInMemoryBodySize)
        let request = Request(head: copy head, body: body, channel: self, persistent: persistent)
        current = request
        state = .body
        bodyDecoder = HTTPBodyDecoder(framing: head.framing, settings: settings)
        // Traverse now, so that the resource may stream the body or answer before it is sent.
        if let site { bodyStreamer = site.headReceived(request) }
        if request.finished || current !== request { return }
        declaredLength = declared
        expectsContinue = head.expectContinue && head.minorVersion == 1
        if bodyHeld { bodyStartPending = true; return }
        _ = beginBody()
    }

    /// The head has been handled: checks the declared length against the request's limit, then sends
    /// `100 Continue` if the client waits for it. False when the request was refused.
    private func beginBody() -> Bool {
        if let declared = declaredLength, declared > maxBodySize {
            refuse(HTTPParseError(413, "request body too large")); return false
        }
        if expectsContinue {
            var line = ByteBuffer(capacity: 25)
            line.writeStatic("HTTP/1.1 100 Continue\r\n\r\n")
            transport?.write(line)
        }
        return true
    }

    /// See ``Request/holdBody()``.
    func holdBody(of request: Request) {
        guard state == .body, current === request else { return }
        bodyHeld = true
    }

    /// See ``Request/releaseBody()``.
    func releaseBody(of request: Request) {
        guard state == .body, current === request, bodyHeld else { return }
        bodyHeld = false
        // Still inside `startRequest` (released at once): it runs `beginBody` itself.
        guard bodyStartPending else { return }
        bodyStartPending = false
        if beginBody() { processInbound() }
    }

    /// Hands the connection to `proto` after a 101 (see ``Request/switchProtocols(to:)``).
    func switchProtocols(_ request: Request, to proto: Protocol) {
        guard let transport else { return }
        current = nil
        state = .switched
        idleCall?.cancel(); headerCall?.cancel(); abortCall?.cancel()
        idleCall = nil; headerCall = nil; abortCall = nil
        if registeredWithTransport { registeredWithTransport = false; transport.unregisterProducer() }
        // The new protocol reads at its own pace: pipelining no longer holds reading back (nor, the channel being
        // no longer the transport's producer, does the write side).
        if readPause.contains(.pipeline) { readPause.remove(.pipeline); transport.resumeProducing() }
        switchedProtocol = proto
        proto.makeConnection(transport)
        let leftover = inbound
        inbound = ByteBuffer()
        if !leftover.isEmpty && proto.connected { proto.dataReceived(leftover) }
    }

    /// Sets the body-size limit of `request` (see ``Request/setMaxBodySize(_:)``); ignored once its body is read.
    func setMaxBodySize(_ n: Int, for request: Request) {
        guard state == .body, current === request else { return }
        maxBodySize = max(0, n)
        bodyDecoder?.maxBodySize = maxBodySize
    }

    /// True while `request`'s body is still being read (an answer now must close the connection).
    func isReadingBody(of request: Request) -> Bool { state == .body && current === request }

    /// Called by the request when its response is complete.
    func requestDone(_ request: Request) {
        guard request === current else { return }
        current = nil
        if !request.persistent || state == .body {
            // (Answered before its body was read: the rest of the body cannot be told from the next request.)
            close()
            return
        }
        state = .head
        if readPause.contains(.application) { resumeReading(.application) }
        if let clock { lastActivity = clock.seconds() }
        if readPause.contains(.pipeline) { resumeReading(.pipeline) }
        processInbound()
    }

    /// Answers refused input with a short plain-text error and closes.
    func refuse(_ error: HTTPParseError) {
        state = .closing
        headerCall?.cancel(); headerCall = nil
        var out = ByteBuffer(capacity: 200)
        out.writeString("HTTP/1.1 \(error.status) \(HTTPStatus.reason(error.status))\r\n")
        out.writeString("Content-Type: text/plain; charset=utf-8\r\nContent-Length: \(error.reason.utf8.count + 1)\r\n")
        out.writeString("Connection: close\r\n\r\n\(error.reason)\n")
        transport?.write(out)
        close()
    }

    /// Closes the connection once written, with an abort if the peer lingers.
    func close() {
        state = .closing
        inbound = ByteBuffer()
        idleCall?.cancel(); idleCall = nil
        if registeredWithTransport { registeredWithTransport = false; transport?.unregisterProducer() }
        transport?.loseConnection()
        if let clock, let a = settings.abortTimeout, abortCall == nil {
            // Strong captures: every timer is cancelled in connectionLost, which breaks the cycle (a weak
            // reference would give the channel a side table and slow down every retain).
            abortCall = clock.callLater(a) { [self] in
                guard connected else { return }
                transport?.abortConnection()
            }
        }
    }
}
