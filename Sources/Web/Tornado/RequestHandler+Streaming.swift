import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Tornado's `@stream_request_body`, on the HTTP server's body-streaming seam (``Resource/bodyStreamer(for:)``).
///
/// For a request with a body whose route's handler has ``RequestHandler/streamRequestBody`` true, the
/// ``Application`` makes the handler when the head is in and runs its checks and `prepare` at once; a
/// ``StreamedRequestBody`` then feeds the body to ``RequestHandler/dataReceived(_:)`` and runs the verb method
/// after the last piece. Everything runs on the reactor thread.
extension Application {
    /// Makes and starts the handler for a request with a body when its route's handler streams bodies.
    func streamingHandler(for request: Request) -> (any RequestBodyStreamer)? {
        guard let (spec, positional, named) = findRoute(request) else { return nil }
        if spec.streamsRequestBody == false { return nil }
        let handler = spec.makeHandler()
        let streams = type(of: handler).streamRequestBody
        spec.streamsRequestBody = streams
        // A non-streaming handler made here is dropped: `render` makes the one that answers, as for bodiless
        // requests (its `initialize` runs once, there).
        guard streams else { return nil }
        handler.setUp(application: self, request: request)
        handler.rawPathArgs = positional
        handler.rawPathKwargs = named
        handler.initialize(spec.arguments)
        let body = StreamedRequestBody(handler)
        streamedBodies[ObjectIdentifier(request)] = body
        handler.startStreaming(body)
        return body
    }
}

extension RequestHandler {
    /// Steps 1–5 of the lifecycle for a streamed body: checks and `prepare`, before the body is read.
    func startStreaming(_ body: StreamedRequestBody) {
        // Watch from the start: a client that aborts the upload must reach onConnectionClose.
        watchConnection()
        do {
            try checkRequest()
            let r = try prepare()
            if let d = r.deferred {
                // Tornado's timing: the body limit check and `100 Continue` wait for `prepare` to complete.
                body.pauseReading()
                request.holdBody()
                d.addCallbacks({ (_: Void) -> Void in body.prepared(); self.request.releaseBody() },
                               { (f: Failure) -> Void in self.handleRequestException(f.error) })
                return
            }
            body.prepared()
        } catch {
            handleRequestException(error)
        }
    }
}

/// Feeds a streamed request body to its handler in order, holding pieces back (and the client's reading
/// paused) while `prepare` or a previous `dataReceived` is still pending. Reactor thread only.
@ReactorActor
final class StreamedRequestBody: RequestBodyStreamer {
    private let handler: RequestHandler
    private var ready = false
    private var waiting = false
    private var queued: [ByteBuffer] = []
    private var complete = false
    private var verbStarted = false
    private var paused = false

    init(_ handler: RequestHandler) { self.handler = handler }

    func bodyDataReceived(_ data: ByteBuffer) {
        if handler.finished { return }
        if ready && !waiting && queued.isEmpty {
            deliver(data)
        } else {
            queued.append(data)
            pauseReading()
        }
    }

    func bodyFinished() {
        complete = true
        drain()
    }

    /// `prepare` is done: deliver what has arrived.
    func prepared() {
        ready = true
        drain()
    }

    func pauseReading() {
        if !paused { paused = true; handler.request.pauseReading() }
    }

    private func resumeReading() {
        if paused { paused = false; handler.request.resumeReading() }
    }

    private func drain() {
        while ready && !waiting && !handler.finished {
            if !queued.isEmpty {
                deliver(queued.removeFirst())
                continue
            }
            resumeReading()
            if complete && !verbStarted {
                verbStarted = true
                handler.runVerb()
            }
            return
        }
    }

    private func deliver(_ data: ByteBuffer) {
        do {
            let r = try handler.dataReceived(data)
            if let d = r.deferred {
                waiting = true
                pauseReading()
                d.addCallbacks({ (_: Void) -> Void in self.waiting = false; self.drain() },
                               { (f: Failure) -> Void in self.waiting = false; self.handler.handleRequestException(f.error) })
            }
        } catch {
            handler.handleRequestException(error)
        }
    }
}
