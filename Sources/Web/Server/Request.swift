import TwisterProtocols
import TwisterHTTP

/// One HTTP request and its response (Twisted's `server.Request`).
///
/// Lifecycle, all on the reactor thread: the ``HTTPChannel`` builds it once the head (and the body, buffered)
/// has arrived and hands it to the ``Site``, which traverses the resource tree and renders it. The resource
/// answers through ``write(_:)`` and ``finish()`` (or by returning a body, see ``RenderResult``). The first write
/// sends the status line and headers; ``finish()`` ends the response and lets the channel read the next request.
///
/// Ownership: the channel holds the request it is answering; the request holds the channel until it finishes or
/// the connection is lost. A request can also be built without a channel (``init(method:uri:version:headers:body:)``),
/// for tests: its output then accumulates in ``detachedOutput``.
@ReactorActor
public final class Request {
    // MARK: the request
    /// The method exactly as sent (`GET`, `POST`, …).
    public let method: String
    /// The request target exactly as sent (`/a/b?x=1`).
    public let uri: String
    /// The path part of ``uri`` (before `?`), still percent-encoded.
    public let path: String
    /// `HTTP/1.0` or `HTTP/1.1`.
    public var clientproto: String { minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1" }
    public let minorVersion: Int
    public let requestHeaders: HTTPHeaders
    /// The request body (Twisted's `content`).
    public let content: RequestBody
    // Stored vars are `@exclusivity(unchecked)` (Docs/internals/design.md, "No dynamic exclusivity checks"): a request is
    // confined to the reactor thread, and no access to them spans a call into user code (Deferreds, the access
    // log and the channel are called with values copied out first; the mutating calls on `responseHeaders`,
    // `detachedOutput` and `finishWaiters` run none).
    /// Path segments already traversed (percent-decoded).
    @exclusivity(unchecked) public var prepath: [String] = []
    /// Path segments still to traverse (percent-decoded).
    @exclusivity(unchecked) public var postpath: [String] = []
    /// `prepath` as it was when the Site received the request (the Site's own mount path).
    @exclusivity(unchecked) public var sitepath: [String] = []
    /// The Site serving this request, if any.
    @exclusivity(unchecked) public internal(set) var site: Site?
    /// True when the request came over TLS.
    @exclusivity(unchecked) public var isSecure = false
    /// Uploaded files of a multipart body, by field name.
    @exclusivity(unchecked) public var files: [String: [UploadedFile]] = [:]

    // MARK: the response
    @exclusivity(unchecked) public var responseHeaders = HTTPHeaders()
    /// The response status (Twisted's `code`), 200 by default.
    @exclusivity(unchecked) public private(set) var code = 200
    /// A reason phrase replacing the standard one, if set.
    @exclusivity(unchecked) public private(set) var codeMessage: String?

    // MARK: state
    @exclusivity(unchecked) public internal(set) var startedWriting = false
    @exclusivity(unchecked) public internal(set) var finished = false
    /// True once the connection went away before the response finished.
    @exclusivity(unchecked) public private(set) var disconnected = false
    /// Bytes of body sent so far (after headers; excludes chunk framing).
    @exclusivity(unchecked) public internal(set) var sentLength = 0
    /// Output of a request that has no channel (tests).
    @exclusivity(unchecked) public var detachedOutput = ByteBuffer()
    /// Whether the connection may serve another request after this one.
    @exclusivity(unchecked) var persistent: Bool
    @exclusivity(unchecked) var channel: HTTPChannel?
    @exclusivity(unchecked) var chunked = false
    /// Set when the response is abandoned mid-way (see `finishTruncated`).
    @exclusivity(unchecked) var truncated = false
    /// The Content-Length set by the application, once the head is sent (the body is held to it).
    @exclusivity(unchecked) var declaredLength: Int?
    /// Compresses the body when set (see ``EncodingResourceWrapper``).
    @exclusivity(unchecked) private var encoder: GzipEncoder?
    /// `notifyFinish` Deferreds and loss observers, in the order they were registered (after `firstObserver`).
    @exclusivity(unchecked) private var finishWaiters: [FinishWaiter] = []
    /// A loss observer registered while there were no other waiters (the usual case: no array needed).
    @exclusivity(unchecked) private var firstObserver: (any RequestLossObserver)?
    @exclusivity(unchecked) var storedArgs: [String: [String]]?
    @exclusivity(unchecked) var cookieCache: [String: String]?
    @exclusivity(unchecked) var session: WebSession?
    @exclusivity(unchecked) var lastModified: Int?
    @exclusivity(unchecked) var etag: String?
    /// The resource reached by traversal, for requests whose head was traversed before their body arrived.
    @exclusivity(unchecked) var resource: Resource?
    /// Set by the Site when the request started (for the access log).
    @exclusivity(unchecked) var startTime: Double = 0

    /// A request read by a channel.
    init(head: consuming HTTPRequestHead, body: RequestBody, channel: HTTPChannel?, persistent: Bool) {
        method = head.method
        uri = head.target
        minorVersion = head.minorVersion
        requestHeaders = head.headers
        content = body
        self.channel = channel
        self.persistent = persistent
        var p = Substring(uri)
        if let q = p.utf8.firstIndex(of: 0x3F) { p = p[..<q] }
        if p.utf8.first != 0x2F, p.hasPrefix("http://") || p.hasPrefix("https://") {
            // absolute-form (RFC 9112 §3.2.2): the path starts after the authority.
            let afterScheme = p[p.index(p.firstIndex(of: ":")!, offsetBy: 3)...]
            p = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        path = String(p)
    }

    /// A request with no connection (for tests and for resources rendering sub-requests).
    public convenience init(method: String = "GET", uri: String = "/", version: Int = 1,
                            headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer = ByteBuffer()) {
        var h = headers
        if version == 1 && !h.contains("Host") { h.add("Host", "localhost") }
        let head = HTTPRequestHead(method: method, target: uri, minorVersion: version, headers: h,
                                   framing: body.readableBytes > 0 ? .length(body.readableBytes) : .none,
                                   connectionClose: false, connectionKeepAlive: false, expectContinue: false)
        self.init(head: head, body: RequestBody(body), channel: nil, persistent: version == 1)
    }

    // MARK: request accessors

    /// The last value of header `name` in the request (Twisted's `getHeader`), or nil.
    public func getHeader(_ name: String) -> String? { requestHeaders.values(name).last }

    /// The raw query string (after `?`), or "" when there is none.
    public var query: String {
        guard let q = uri.utf8.firstIndex(of: 0x3F) else { return "" }
        return String(uri[uri.utf8.index(after: q)...])
    }

    /// The peer's address.
    public func getClientAddress() -> Address? { channel?.transport?.peer }
    /// Our address.
    public func getHost() -> Address? { channel?.transport?.host }

    /// The host name the client asked for: the Host header without its port, else our address.
    public func getRequestHostname() -> String {
        if let h = getHeader("Host") {
            if h.hasPrefix("[") { if let e = h.firstIndex(of: "]") { return String(h[...e]) } }
            if let c = h.lastIndex(of: ":") { return String(h[..<c]) }
            return h
        }
        return getHost()?.host ?? "localhost"
    }

    /// The URL of the resources traversed so far: scheme, host, port (when not the default) and quoted prepath.
    public func prePathURL() -> String {
        let secure = isSecure
        let port = getHost()?.port ?? (secure ? 443 : 80)
        let defaultPort = secure ? 443 : 80
        var s = secure ? "https://" : "http://"
        s += getRequestHostname()
        if port != defaultPort { s += ":\(port)" }
        s += "/" + prepath.map { URLCoding.quote($0) }.joined(separator: "/")
        return s
    }

    /// A relative link to the child `name` of the current resource (Twisted's `childLink`).
    public func childLink(_ name: String) -> String {
        let lastSegment = prepath.last ?? ""
        if !postpath.isEmpty || lastSegment.isEmpty { return URLCoding.quote(name) }
        return URLCoding.quote(lastSegment) + "/" + URLCoding.quote(name)
    }

    // MARK: response setup

    /// Sets the status (and optionally a custom reason phrase). Ignored once the head was sent.
    public func setResponseCode(_ code: Int, message: String? = nil) {
        guard !startedWriting else { return }
        self.code = code
        self.codeMessage = message
    }

    /// Sets (replaces) a response header.
    public func setHeader(_ name: String, _ value: String) { responseHeaders.set(name, value) }

    /// Redirects with 302 Found to `url` (Twisted's `redirect`).
    public func redirect(_ url: String) {
        setResponseCode(302)
        setHeader("Location", url)
    }

    // MARK: writing

    var bodyForbidden: Bool { HTTPStatus.responseHasNoBody(code: code, requestMethodIsHEAD: method == "HEAD") }

    /// Writes body bytes. The first call sends the status line and headers (chunked on HTTP/1.1 when no
    /// Content-Length was set). Ignored after ``finish()`` (a programming error, logged) or after the client
    /// went away. Bodies of HEAD, 204 and 304 responses are dropped.
    public func write(_ data: ByteBuffer) {
        if finished { HTTPLog.misuse("Request.write called after finish on \(method) \(uri)"); return }
        if disconnected { return }
        if let encoder, !bodyForbidden {
            if !startedWriting { prepareEncodedHead(length: nil) }
            let data = encoder.encode(data)
            if startedWriting && data.readableBytes == 0 { return }
            writeRaw(data)
            return
        }
        writeRaw(data)
    }

    private func writeRaw(_ data: ByteBuffer) {
        var data = data
        if startedWriting, let declared = declaredLength {
            // Never send more than the Content-Length the application declared: the excess would be read by the
            // client as the start of another response.
            let room = declared - sentLength
            if data.readableBytes > room && !bodyForbidden {
                HTTPLog.misuse("body longer than its Content-Length on \(method) \(uri); truncated")
                data = data.readSlice(length: max(0, room)) ?? ByteBuffer()
            }
        }
        if !startedWriting {
            var out = makeHead(contentLength: nil, bodyHint: data.readableBytes)
            if let declared = declaredLength, data.readableBytes > declared && !bodyForbidden {
                HTTPLog.misuse("body longer than its Content-Length on \(method) \(uri); truncated")
                data = data.readSlice(length: declared) ?? ByteBuffer()
            }
            if !bodyForbidden && data.readableBytes > 0 {
                if chunked { appendChunk(&out, data) } else { out.writeImmutableBuffer(data) }
                sentLength += data.readableBytes
            }
            send(out)
            return
        }
        if bodyForbidden || data.readableBytes == 0 { return }
        sentLength += data.readableBytes
        if chunked {
            if data.readableBytes <= 8192 {
                var out = ByteBuffer(capacity: data.readableBytes + 16)
                appendChunk(&out, data)
                send(out)
            } else {
                var size = ByteBuffer()
                appendHex(&size, data.readableBytes)
                size.writeBytes([HTTPBytes.cr, HTTPBytes.lf])
                send(size); send(data); send(ByteBuffer(bytes: [HTTPBytes.cr, HTTPBytes.lf]))
            }
        } else {
            send(data)
        }
    }

    public func write(_ string: String) { write(ByteBuffer(string: string)) }

    /// Ends the response: sends the head if nothing was written (with `Content-Length: 0` when a body is
    /// allowed), the last chunk when chunked, logs the request, fires ``notifyFinish()``'s Deferreds and lets the
    /// channel go on. A second call is ignored (logged); a call after the client went away is ignored.
    public func finish() {
        if finished { HTTPLog.misuse("Request.finish called twice on \(method) \(uri)"); return }
        if disconnected { return }
        if let encoder, !bodyForbidden {
            if !startedWriting { writeAndFinish(ByteBuffer()); return }
            let tail = encoder.finish()
            if tail.readableBytes > 0 { writeRaw(tail) }
        }
        if !startedWriting {
            send(makeHead(contentLength: bodyForbidden ? nil : 0, bodyHint: 0))
        } else if chunked && !truncated {
            send(ByteBuffer(bytes: [0x30, HTTPBytes.cr, HTTPBytes.lf, HTTPBytes.cr, HTTPBytes.lf]))
        }
        if let declared = declaredLength, sentLength < declared, !bodyForbidden {
            // Shorter than declared: the client can only find the end by the connection closing.
            HTTPLog.misuse("body shorter than its Content-Length on \(method) \(uri); closing the connection")
            persistent = false
        }
        completeFinish()
    }

    /// Writes `body` as the whole response and finishes: one write of head plus body with its Content-Length
    /// (what returning `.body` from a render method does). For HEAD the length is sent and the body dropped.
    public func writeAndFinish(_ body: ByteBuffer) {
        if finished || disconnected { if finished { HTTPLog.misuse("Request.writeAndFinish after finish") }; return }
        if startedWriting { write(body); finish(); return }
        var body = body
        if let encoder, !bodyForbidden || method == "HEAD" {
            var z = encoder.encode(body)
            z.writeImmutableBuffer(encoder.finish())
            body = z
            prepareEncodedHead(length: body.readableBytes)
            self.encoder = nil
        }
        let n = body.readableBytes
        let length: Int? = HTTPStatus.forbidsBody(code) ? nil : n
        var out = makeHead(contentLength: length, bodyHint: n)
        if !bodyForbidden { out.writeImmutableBuffer(body); sentLength = n }
        send(out)
        completeFinish()
    }

    private func completeFinish() {
        finished = true
        if let c = channel, c.current === self, c.responseProducer != nil {
            HTTPLog.misuse("request finished with a producer still registered; unregistering it")
            c.unregisterResponseProducer()
        }
        site?.requestFinished(self)
        fireFinishWaiters()
        channel?.requestDone(self)
    }

    private enum FinishWaiter {
        case deferred(Deferred<Void>)
        case observer(any RequestLossObserver)
    }

    /// The response finished: fires the `notifyFinish` Deferreds and drops the loss observers.
    func fireFinishWaiters() {
        firstObserver = nil
        if finishWaiters.isEmpty { return }
        let waiters = finishWaiters
        finishWaiters = []
        for w in waiters { if case .deferred(let d) = w { d.callback(()) } }
    }

    /// Calls `observer.requestConnectionLost()` if the client goes away before the response finishes (at once if
    /// it already has), in order with the `notifyFinish` Deferreds: what
    /// `notifyFinish().addErrback { _ in observer.requestConnectionLost() }` does, without the Deferred and the
    /// closure. The request holds the observer until it finishes or the connection is lost.
    package func watchConnectionLoss(_ observer: any RequestLossObserver) {
        if finished { return }
        if disconnected { observer.requestConnectionLost(); return }
        if firstObserver == nil && finishWaiters.isEmpty { firstObserver = observer } else { finishWaiters.append(.observer(observer)) }
    }

    /// A Deferred that fires when the response is finished, or errbacks with the connection's loss reason if
    /// the client goes away first (Twisted's `notifyFinish`).
    public func notifyFinish() -> Deferred<Void> {
        if finished { return Deferred.succeed(()) }
        if disconnected { return Deferred.fail(ConnectionError.lost("client went away")) }
        let d = Deferred<Void>()
        finishWaiters.append(.deferred(d))
        return d
    }

    /// Called by the channel when the connection ends before the response finished.
    func connectionLost(_ reason: Failure) {
        guard !finished, !disconnected else { return }
        disconnected = true
        let first = firstObserver
        firstObserver = nil
        let waiters = finishWaiters
        finishWaiters = []
        first?.requestConnectionLost()
        for w in waiters {
            switch w {
            case .deferred(let d): d.errback(reason)
            case .observer(let o): o.requestConnectionLost()
            }
        }
    }

    // MARK: producers

    /// Registers a producer of the response body with the connection (Twisted's `registerProducer`). A
    /// streaming producer is paused while the client is not reading; a pull producer is asked for more
    /// (`resumeProducing`) each time the connection can take more. Unregister before ``finish()``.
    public func registerProducer(_ producer: any Producer, streaming: Bool) {
        guard let channel, !disconnected, !finished else { producer.stopProducing(); return }
        channel.registerResponseProducer(producer, streaming: streaming)
    }

    public func unregisterProducer() {
        if let channel, channel.current === self { channel.unregisterResponseProducer() }
    }

    /// Makes the body go through `encoder` (before the head is sent).
    public func installEncoder(_ encoder: GzipEncoder) {
        guard !startedWriting else { return }
        self.encoder = encoder
    }

    private func prepareEncodedHead(length: Int?) {
        let existing = responseHeaders["Content-Encoding"]
        setHeader("Content-Encoding", existing.map { $0 + ",gzip" } ?? "gzip")
        responseHeaders.add("Vary", "Accept-Encoding")
        responseHeaders.remove("Content-Length")
    }
}

extension Request {
    /// Records body bytes sent by other means than `write` (sendfile).
    func noteSent(_ n: Int) { sentLength += n }

    /// Gives up on a response whose head promised more than can be sent: closes the connection.
    func abortResponse() {
        persistent = false
        channel?.transport?.loseConnection()
    }
}
