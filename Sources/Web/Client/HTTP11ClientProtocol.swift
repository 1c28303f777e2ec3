import TwisterProtocols
import TwisterHTTP

/// The HTTP/1.1 client side of one connection (Twisted's `HTTP11ClientProtocol`).
///
/// Contract:
/// - One request at a time, never pipelined: `request(_:)` on a busy or closed connection fails at once with
///   ``RequestNotSent``.
/// - The returned Deferred fires with the ``AgentResponse`` once the read that completed its head is parsed (1xx heads
///   are skipped; a small response that came with its head is then already whole), or
///   fails with ``ResponseNeverReceived`` (the connection ended before any response byte),
///   ``ResponseFailed`` (a malformed or cut head; reasons name the defect) or ``RequestTransmissionFailed``.
/// - Cancelling it aborts the connection; the Deferred fails with `CancelledError`.
/// - Once the response was read whole and the request written whole, a persistent connection goes back to
///   idle and `onReusable` is called; otherwise the connection is closed. Malformed input, unexpected bytes,
///   timeouts and cancellation abort the connection, which is then never reused.
/// - Timeouts (on `clock`): the request's `firstByteTimeout` runs from the end of the request to the first
///   response byte; its `bodyTimeout` between reads of the body while nobody paused it. Either aborts the
///   connection and fails the request with a ``ClientTimeoutError`` reason.
@ReactorActor
public final class HTTP11ClientProtocol: Protocol {
    public enum State: Equatable, Sendable {
        /// Connected and ready for a request.
        case idle
        /// A request is in flight.
        case busy
        /// Closed or closing: no more requests.
        case closed
    }
    public private(set) var state: State = .idle
    /// Time source for the timeouts (none run without one).
    public var clock: (any ReactorTime)?
    /// Called when the connection became idle again after a complete exchange (the pool takes it back).
    var onReusable: ((HTTP11ClientProtocol) -> Void)?
    /// Called once when the connection has ended.
    var onClosed: ((HTTP11ClientProtocol) -> Void)?
    /// Number of requests written on this connection.
    public private(set) var requestsSent = 0

    private var parser = HTTPResponseParser()
    private var current: AgentRequest?
    private var url = ""
    private var responseDeferred: Deferred<AgentResponse>?
    /// A response whose head was parsed, to be handed to its Deferred at the end of the current read.
    private var pendingResponse: (Deferred<AgentResponse>, AgentResponse)?
    private var response: AgentResponse?
    private var generation = 0
    private var requestWritten = false
    private var responseEnded = false
    private var persistentAfter = true
    private var deliveryPaused = false
    private var userPaused = false
    private var readingPaused = false
    private var timer: (any DelayedCall)?
    private var continueTimer: (any DelayedCall)?
    private var waitingForContinue = false
    private var bodyWriter: ClientBodyWriter?

    public override init() { super.init() }

    /// Called from `connectionMade` (the reactor connector learns the connection is up).
    var onConnectionMade: (() -> Void)?

    public override func connectionMade() {
        if state == .closed { transport?.abortConnection() }
        let hook = onConnectionMade
        onConnectionMade = nil
        hook?()
    }

    /// Sends `req` and returns the Deferred of its response (see the type's contract). `url` is recorded on
    /// the response.
    public func request(_ req: AgentRequest, url: String = "") -> Deferred<AgentResponse> {
        guard state == .idle, connected, let transport else { return Deferred.fail(RequestNotSent()) }
        state = .busy
        generation += 1
        requestsSent += 1
        let gen = generation
        current = req
        self.url = url
        parser.reset(requestMethod: req.method)
        response = nil
        requestWritten = false
        responseEnded = false
        persistentAfter = req.persistent
        let d = Deferred<AgentResponse>(canceller: { [weak self] _ in self?.cancelRequest(gen) })
        responseDeferred = d

        var length: Int?
        if let p = req.bodyProducer {
            length = p.length
            transport.write(req.serializeHead(bodyLength: length, chunked: length == nil))
        } else {
            transport.write(req.preparedHead ?? req.serializeHeadWithoutBody())
        }
        if req.bodyProducer != nil {
            if req.expectContinue && (length ?? 1) > 0 {
                waitingForContinue = true
                continueTimer = clock?.callLater(req.expectContinueTimeout) { [weak self] in
                    self?.continueTimedOut(gen)
                }
                if clock == nil { sendBody(gen) }
            } else {
                sendBody(gen)
            }
        } else {
            requestWritten = true
            requestFullyWritten()
        }
        return d
    }

    /// Aborts the connection; a request in flight fails with `reason`.
    public func abort(_ reason: any Error = CancelledError()) {
        if state == .busy {
            failRequest(reason)
        } else {
            state = .closed
            transport?.abortConnection()
        }
    }

    /// Closes an idle connection cleanly.
    public func close() {
        if state == .idle { state = .closed }
        transport?.loseConnection()
    }

    // MARK: request body

    private func continueTimedOut(_ gen: Int) {
        guard gen == generation, state == .busy, waitingForContinue else { return }
        sendBody(gen)
    }

    private func sendBody(_ gen: Int) {
        waitingForContinue = false
        continueTimer?.cancel()
        continueTimer = nil
        guard let req = current, let producer = req.bodyProducer, let transport else { return }
        let writer = ClientBodyWriter(transport: transport, length: producer.length)
        bodyWriter = writer
        transport.registerProducer(producer, streaming: true)
        producer.startProducing(writer).addCallbacks({ [weak self] () -> Void in
            self?.bodyProduced(gen, writer)
        }, { [weak self] f -> Void in
            self?.bodyProductionFailed(gen, f.error)
        })
    }

    private func bodyProduced(_ gen: Int, _ writer: ClientBodyWriter) {
        guard gen == generation, state == .busy, writer === bodyWriter else { return }
        transport?.unregisterProducer()
        bodyWriter = nil
        if let error = writer.finish() {
            failRequest(RequestTransmissionFailed([error]))
            return
        }
        requestWritten = true
        requestFullyWritten()
    }

    private func bodyProductionFailed(_ gen: Int, _ error: any Error) {
        guard gen == generation, state == .busy else { return }
        transport?.unregisterProducer()
        bodyWriter?.closed = true
        bodyWriter = nil
        failRequest(RequestTransmissionFailed([error]))
    }

    private func requestFullyWritten() {
        if responseEnded {
            finishExchange()
        } else if response == nil {
            armTimer()
        }
    }

    // MARK: receiving

    public override func dataReceived(_ data: ByteBuffer) {
        guard state == .busy else {
            if state == .idle {
                // A server must not send anything between responses: the connection cannot be trusted.
                state = .closed
                transport?.abortConnection()
            }
            return
        }
        cancelTimer()
        parser.feed(data)
        processParser()
    }

    private func processParser() {
        let gen = generation
        while state == .busy && gen == generation && !responseEnded {
            let event: HTTPResponseParser.Event?
            do {
                event = try parser.next()
            } catch {
                failRequest(error)
                firePendingResponse()
                return
            }
            guard let event else { break }
            switch event {
            case .informational(let head):
                if waitingForContinue && head.code == 100 { sendBody(gen) }
            case .head(let head, let framing):
                headReceived(head, framing, gen)
            case .body(let b):
                response?.bodyDataReceived(b)
            case .end:
                responseEnded = true
                if !parser.leftover.isEmpty { persistentAfter = false }
                let r = response
                // Back to the pool first, so that a reader that issues the next request when the body ends
                // finds this connection idle.
                if requestWritten { finishExchange() }
                r?.bodyDataFinishedWhole()
            }
        }
        // The response's Deferred fires only now, after everything this read held was parsed: a small response
        // is then whole before its reader sees it, and `readBody` returns at once (no chain left waiting).
        firePendingResponse()
        if state == .busy && gen == generation && !responseEnded {
            if deliveryPaused { updateReading() }
            armTimer()
        }
    }

    private func headReceived(_ head: HTTPResponseParser.Head, _ framing: HTTPResponseParser.Framing, _ gen: Int) {
        if waitingForContinue {
            // A final answer before 100 Continue: the body is never sent, so the connection cannot be reused.
            waitingForContinue = false
            continueTimer?.cancel()
            continueTimer = nil
            requestWritten = true
            persistentAfter = false
        }
        // The parser noted the Connection tokens while it parsed the fields.
        let keepAlive = head.minor == 0 ? parser.connectionKeepAlive : !parser.connectionClose
        if !keepAlive || framing == .untilClose { persistentAfter = false }
        let length: Int?
        switch framing {
        case .none: length = 0
        case .length(let n): length = n
        case .chunked, .untilClose: length = nil
        }
        let r = AgentResponse(head: head, length: length, url: url, request: current, source: ClientBodySource(self, gen))
        response = r
        // Hold the body until deliverBody. The transport itself is paused only if the body is still incomplete
        // once this read is parsed (see processParser): a small response that arrives in one read, taken by a
        // reader that calls deliverBody from the callback, then costs no pause/resume (two epoll_ctl calls).
        deliveryPaused = true
        if let d = responseDeferred {
            responseDeferred = nil
            pendingResponse = (d, r)
        }
    }

    /// Fires the response's Deferred once the read that completed its head was parsed (see `processParser`).
    private func firePendingResponse() {
        guard let (d, r) = pendingResponse else { return }
        pendingResponse = nil
        d.callback(r)
    }

    /// The response was read whole and the request written whole: reuse or close.
    private func finishExchange() {
        cancelTimer()
        let reusable = persistentAfter && connected && state == .busy
        current = nil
        response = nil
        bodyWriter = nil
        deliveryPaused = false
        userPaused = false
        generation += 1
        updateReading()
        if reusable {
            state = .idle
            onReusable?(self)
        } else {
            state = .closed
            transport?.loseConnection()
        }
    }

    public override func connectionLost(_ reason: Failure) {
        connected = false
        cancelTimer()
        continueTimer?.cancel()
        let error = reason.error
        if state == .busy {
            bodyWriter?.closed = true
            if let d = responseDeferred {
                responseDeferred = nil
                current?.bodyProducer?.stopProducing()
                if parser.receivedAnything {
                    var reasons: [any Error] = [error]
                    do { _ = try parser.finish() } catch { reasons.append(error) }
                    d.errback(ResponseFailed(reasons))
                } else {
                    d.errback(ResponseNeverReceived([error]))
                }
            } else if let r = response, !responseEnded {
                responseEnded = true
                do {
                    while let ev = try parser.next() {
                        if case .body(let b) = ev { r.bodyDataReceived(b) }
                    }
                    if try parser.finish() != nil {
                        if let ce = error as? ConnectionError, ce == .done {
                            r.bodyDataFinished(PotentialDataLoss())
                        } else {
                            r.bodyDataFinished(ResponseFailed([error, PotentialDataLoss()]))
                        }
                    } else {
                        r.bodyDataFinished(ResponseDone())
                    }
                } catch {
                    r.bodyDataFinished(ResponseFailed([reason.error, error]))
                }
            }
        }
        state = .closed
        current = nil
        response = nil
        generation += 1
        let hook = onClosed
        onClosed = nil
        onReusable = nil
        hook?(self)
    }

    // MARK: failing

    private func cancelRequest(_ gen: Int) {
        guard gen == generation, state == .busy else { return }
        // The Deferred fails with CancelledError on its own (the canceller does not fire it).
        responseDeferred = nil
        failRequest(CancelledError())
    }

    /// Fails the request in flight with `error` (wrapped by phase) and aborts the connection.
    private func failRequest(_ error: any Error) {
        guard state == .busy else { return }
        cancelTimer()
        continueTimer?.cancel()
        state = .closed
        if let w = bodyWriter {
            w.closed = true
            transport?.unregisterProducer()
            current?.bodyProducer?.stopProducing()
        }
        bodyWriter = nil
        if let d = responseDeferred {
            responseDeferred = nil
            if error is RequestTransmissionFailed || error is RequestNotSent {
                d.errback(error)
            } else if parser.receivedAnything {
                d.errback(ResponseFailed([error]))
            } else {
                d.errback(ResponseNeverReceived([error]))
            }
        } else if let r = response, !responseEnded {
            responseEnded = true
            r.bodyDataFinished(ResponseFailed([error]))
        }
        current = nil
        response = nil
        generation += 1
        transport?.abortConnection()
    }

    // MARK: timers and flow control

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func armTimer() {
        cancelTimer()
        guard state == .busy, let clock, let req = current else { return }
        let phase: ClientTimeoutError.Phase
        let seconds: Double
        if response == nil {
            guard requestWritten, let t = req.firstByteTimeout else { return }
            phase = .firstByte
            seconds = t
        } else {
            guard !deliveryPaused, !userPaused, let t = req.bodyTimeout else { return }
            phase = .bodyChunk
            seconds = t
        }
        let gen = generation
        timer = clock.callLater(seconds) { [weak self] in
            guard let self, gen == self.generation else { return }
            self.timer = nil
            self.failRequest(ClientTimeoutError(phase, seconds: seconds))
        }
    }

    private func updateReading() {
        let shouldPause = deliveryPaused || userPaused
        guard shouldPause != readingPaused, let transport else { return }
        readingPaused = shouldPause
        if shouldPause { transport.pauseProducing() } else { transport.resumeProducing() }
    }

    fileprivate func pauseBody(_ gen: Int) {
        guard gen == generation else { return }
        userPaused = true
        cancelTimer()
        updateReading()
    }

    fileprivate func resumeBody(_ gen: Int) {
        guard gen == generation else { return }
        userPaused = false
        updateReading()
        armTimer()
    }

    fileprivate func bodyDelivered(_ gen: Int) {
        guard gen == generation else { return }
        deliveryPaused = false
        updateReading()
        armTimer()
    }

    fileprivate func stopBody(_ gen: Int, _ reason: any Error) {
        guard gen == generation else { return }
        failRequest(reason)
    }
}

/// Connects one response's body reader to its connection; inert once that exchange is over (the generation moved on).
@ReactorActor
private final class ClientBodySource: ResponseBodySource {
    private weak var proto: HTTP11ClientProtocol?
    private let gen: Int
    let peerAddress: Address
    let hostAddress: Address

    init(_ proto: HTTP11ClientProtocol, _ gen: Int) {
        self.proto = proto
        self.gen = gen
        peerAddress = proto.transport?.peer ?? .unix(path: "")
        hostAddress = proto.transport?.host ?? .unix(path: "")
    }
    func pauseBody() { proto?.pauseBody(gen) }
    func resumeBody() { proto?.resumeBody(gen) }
    func bodyDelivered() { proto?.bodyDelivered(gen) }
    func stopBody(_ reason: any Error) { proto?.stopBody(gen, reason) }
}
