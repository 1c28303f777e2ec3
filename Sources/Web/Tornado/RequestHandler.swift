import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation
import TwisterTemplates

/// Tornado's `RequestHandler`: one instance per request, made by the ``Application`` for the matching route.
///
/// Lifecycle (all on the reactor thread):
/// 1. ``initialize(_:)`` receives the route's arguments.
/// 2. A method outside ``supportedMethods`` gets 405; path groups are percent-decoded (invalid UTF-8 → 400).
/// 3. With `xsrfCookies` on, methods other than GET, HEAD and OPTIONS are checked (``checkXsrfCookie()``, 403).
/// 4. ``prepare()``; if it returns a Deferred or async result, the rest waits for it. If it finished the
///    request, the verb method is not called.
/// 5. The verb method (``get()``, ``post()``, …, via ``handleMethod(_:)``); its ``HandlerResult`` is awaited.
/// 6. ``finish()`` unless already finished or ``autoFinish`` is false; then ``onFinish()`` and the access log.
///
/// A thrown ``HTTPError`` answers its status through ``sendError(_:error:)``; ``Finish`` ends the request
/// cleanly; any other error answers 500. ``onConnectionClose()`` runs if the client goes away while the handler
/// is waiting (a handler that answered synchronously cannot see this). A synchronous handler creates no Task.
///
/// With ``streamRequestBody`` set, steps 1–4 run as soon as the head of a request with a body is in, the body
/// then arrives through ``dataReceived(_:)``, and step 5 runs after its last piece (see ``dataReceived(_:)``).
@ReactorActor
open class RequestHandler {
    // Stored vars are `@exclusivity(unchecked)` (Docs/internals/design.md, "No dynamic exclusivity checks"): a handler is
    // confined to the reactor thread, and no access to them spans a call into user code: the hooks (`get()`,
    // `prepare()`, `computeEtag()`, `getCurrentUser()`, …) and Deferred callbacks are called outside any access,
    // with their results stored afterwards, and the mutating calls on `headers`, `buffer` and `newCookies` run
    // none. (What the check would still catch is a subclass's own overlapping access, such as
    // `swap(&headers, &headers)`, which the compiler already refuses statically in most forms.)
    /// The application that routed the request here.
    @exclusivity(unchecked) public private(set) var application: Application!
    /// The request being answered.
    @exclusivity(unchecked) public private(set) var request: Request!
    /// Positional path groups, percent-decoded (nil for an optional group that did not match).
    @exclusivity(unchecked) public internal(set) var pathArgs: [String?] = []
    /// Named path groups, percent-decoded.
    @exclusivity(unchecked) public internal(set) var pathKwargs: [String: String?] = [:]
    @exclusivity(unchecked) var rawPathArgs: [Substring?] = []
    @exclusivity(unchecked) var rawPathKwargs: [String: Substring?] = [:]

    /// The response status (Tornado's `get_status()`).
    @exclusivity(unchecked) public private(set) var status = 200
    /// The reason phrase sent with ``status``.
    @exclusivity(unchecked) public private(set) var reason: String?
    /// The response headers (Content-Type defaults to `text/html; charset=UTF-8`).
    @exclusivity(unchecked) public internal(set) var headers = HTTPHeaders()
    @exclusivity(unchecked) var buffer = ByteBuffer()
    @exclusivity(unchecked) var newCookies: [(name: String, header: String)] = []
    /// True once the status line and headers went out (the first ``flush()``).
    @exclusivity(unchecked) public internal(set) var headersWritten = false
    /// True once ``finish()`` ran.
    @exclusivity(unchecked) public internal(set) var finished = false
    /// When false, the handler stays open after the verb method returns until it calls ``finish()`` itself
    /// (Tornado's former `@asynchronous`).
    @exclusivity(unchecked) public var autoFinish = true
    @exclusivity(unchecked) var watchingConnection = false
    @exclusivity(unchecked) var startTime: Double = 0
    @exclusivity(unchecked) var endTime: Double?
    @exclusivity(unchecked) var encoder: GzipEncoder?
    @exclusivity(unchecked) var flushControl: FlushControl?
    @exclusivity(unchecked) var cachedQueryArguments: [String: [String]]?
    @exclusivity(unchecked) var cachedBodyArguments: [String: [String]]?
    @exclusivity(unchecked) var currentUserState: CurrentUserState = .unknown
    @exclusivity(unchecked) var cachedXsrfToken: String?

    enum CurrentUserState { case unknown, known(Any?) }

    /// Made by the ``Application`` for each request (through the route's type or factory). A subclass that
    /// declares no initializer of its own inherits this one and needs no `init` at all; give it dependencies
    /// typed through its route (`URLSpec("/", MyHandler.self) { $0.db = db }`, or a factory calling an
    /// initializer of its own: `URLSpec("/", factory: { MyHandler(db: db) })`, which then also needs `required
    /// init()`).
    public required init() {}

    func setUp(application: Application, request: Request) {
        self.application = application
        self.request = request
        if application.accessLog != nil || application.settings.logFunction != nil { startTime = Reactor.shared.seconds() }
        clear()
    }

    // MARK: hooks

    /// The verbs this handler accepts; others get 405 (Tornado's `SUPPORTED_METHODS`).
    open var supportedMethods: Set<String> { Self.defaultSupportedMethods }

    /// GET, HEAD, POST, DELETE, PATCH, PUT, OPTIONS.
    public nonisolated static let defaultSupportedMethods: Set<String> = ["GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS"]
    /// The headers every response starts with (shared storage: copied only when changed).
    nonisolated static let defaultHeaders: HTTPHeaders = ["Content-Type": "text/html; charset=UTF-8"]

    /// Receives the route's `arguments` (Tornado's `initialize(**kwargs)`), right after the handler is made.
    open func initialize(_ arguments: [String: Any]) {}

    /// Runs before the verb method; may answer (finish) to stop it, or return a Deferred/async result.
    open func prepare() throws -> HandlerResult { .done }

    open func get() throws -> HandlerResult { throw HTTPError(405) }
    /// HEAD is 405 unless overridden, as in Tornado (``StaticFileHandler`` serves it).
    open func head() throws -> HandlerResult { throw HTTPError(405) }
    open func post() throws -> HandlerResult { throw HTTPError(405) }
    open func put() throws -> HandlerResult { throw HTTPError(405) }
    open func delete() throws -> HandlerResult { throw HTTPError(405) }
    open func patch() throws -> HandlerResult { throw HTTPError(405) }
    open func options() throws -> HandlerResult { throw HTTPError(405) }

    /// Calls the verb method for `method`; override (with ``supportedMethods``) for custom verbs.
    open func handleMethod(_ method: String) throws -> HandlerResult {
        switch method {
        case "GET": return try get()
        case "POST": return try post()
        case "HEAD": return try head()
        case "PUT": return try put()
        case "DELETE": return try delete()
        case "PATCH": return try patch()
        case "OPTIONS": return try options()
        default: throw HTTPError(405)
        }
    }

    /// True makes the request body arrive in pieces through ``dataReceived(_:)`` as it is read, instead of being
    /// buffered before the handler runs (Tornado's `@stream_request_body`). Override in a subclass:
    /// `override class var streamRequestBody: Bool { true }`. See ``dataReceived(_:)`` for the order of calls.
    open class var streamRequestBody: Bool { false }

    /// Receives one piece of the request body, in order, when ``streamRequestBody`` is true (Tornado's
    /// `data_received`).
    ///
    /// Contract (reactor thread): for a request with a body, the handler is made as soon as the head is in;
    /// the checks (405, 400, XSRF from the query or header) and ``prepare()`` run before any body byte is
    /// read; if `prepare` returns a Deferred, no piece is decoded or delivered, and no `100 Continue` sent,
    /// until it fires. Then this method is called
    /// once per piece as it arrives (pieces already read while `prepare` or an earlier piece was pending are
    /// delivered in order, and reading from the client is paused meanwhile). Returning a Deferred pauses
    /// reading until it fires (backpressure). After the last piece the verb method runs, with
    /// `request.content` empty. If `prepare` (or this method) answers or throws, the response goes out at once,
    /// the rest of the body is not read and the connection is closed after the response. If the client goes
    /// away mid-body, ``onConnectionClose()`` runs and the verb method never does. Default: throws 400.
    open func dataReceived(_ chunk: ByteBuffer) throws -> HandlerResult {
        throw HTTPError(400, "\(Self.self) streams its body but does not override dataReceived")
    }

    /// Sets the maximum body size of this request alone, in place of ``HTTPServerSettings/maxBodySize`` (Tornado's
    /// `self.request.connection.set_max_body_size(n)`): raise it to accept a larger upload, lower it to refuse
    /// one early. Only a ``streamRequestBody`` handler can use it, from ``prepare()`` (an async `prepare` too,
    /// at any point before it completes): the Content-Length is checked against it once `prepare` has completed,
    /// before any body byte is read, and a chunked body as each chunk arrives. A larger body is answered with 413 and the connection closed; the
    /// handler then sees ``onConnectionClose()``. Elsewhere (a buffered body is already read) it does nothing.
    public func setMaxBodySize(_ n: Int) { request.setMaxBodySize(n) }

    /// Called after the response finished (Tornado's `on_finish`): clean-up and logging.
    open func onFinish() {}

    /// Called when the client goes away before the response finished (Tornado's `on_connection_close`).
    open func onConnectionClose() {}

    /// The user of the request, or nil for anonymous (Tornado's `get_current_user`); read once through
    /// ``currentUser``.
    open func getCurrentUser() -> Any? { nil }

    /// Throws 403 unless the request carries the token of its `_xsrf` cookie as the `_xsrf` argument or the
    /// `X-XSRFToken`/`X-CSRFToken` header (called for unsafe methods when `xsrfCookies` is on).
    open func checkXsrfCookie() throws { try verifyXsrfCookie() }

    /// The values every template rendered by this handler sees (Tornado's `get_template_namespace`); override
    /// to add more. Default: ``defaultTemplateNamespace()``.
    open func templateNamespace() -> [String: TemplateValue] { defaultTemplateNamespace() }

    /// Sets headers every response of this handler gets (called at the start and again by `sendError`).
    open func setDefaultHeaders() {}

    // MARK: lifecycle

    func execute() {
        do {
            try checkRequest()
            let r = try prepare()
            if let d = r.deferred {
                watchConnection()
                d.addCallbacks({ (_: Void) -> Void in self.runVerb() }, { (f: Failure) -> Void in self.handleRequestException(f.error) })
                return
            }
            runVerb()
        } catch {
            handleRequestException(error)
        }
    }

    /// Steps 2–3 of the lifecycle: 405, path decoding (400), XSRF (403).
    func checkRequest() throws {
        guard Self.supports(supportedMethods, request.method) else { throw HTTPError(405) }
        try decodePathArguments()
        let m = request.method
        if application.settings.xsrfCookies && m != "GET" && m != "HEAD" && m != "OPTIONS" {
            try checkXsrfCookie()
        }
    }

    func runVerb() {
        if finished { return }
        do {
            let r = try handleMethod(request.method)
            if let d = r.deferred {
                watchConnection()
                d.addCallbacks({ (_: Void) -> Void in self.verbDone() }, { (f: Failure) -> Void in self.handleRequestException(f.error) })
                return
            }
            verbDone()
        } catch {
            handleRequestException(error)
        }
    }

    func verbDone() {
        if finished { return }
        if autoFinish { finish() } else { watchConnection() }
    }

    /// `methods.contains(method)`, without hashing the method when `methods` is ``defaultSupportedMethods``
    /// itself: then a switch over its seven names answers. (A `Set` is one reference to its storage; comparing
    /// the bits tells "the same set" at once, where `==` would compare the elements of an equal-sized one.)
    private nonisolated static func supports(_ methods: Set<String>, _ method: String) -> Bool {
        if unsafeBitCast(methods, to: UInt.self) == unsafeBitCast(defaultSupportedMethods, to: UInt.self) {
            switch method {
            case "GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS": return true
            default: return false
            }
        }
        return methods.contains(method)
    }

    func watchConnection() {
        guard !watchingConnection else { return }
        watchingConnection = true
        // Holds the handler (strongly) until the request finishes or the client goes away, as Tornado's
        // connection holds its handler: the request keeps it among its `notifyFinish` waiters (in order, without
        // a Deferred and a closure per request) and calls `requestConnectionLost` if the client goes away first.
        request.watchConnectionLoss(self)
    }

    package func requestConnectionLost() {
        application.streamedBodies[ObjectIdentifier(request)] = nil
        guard !finished else { return }
        onConnectionClose()
    }

    private func decodePathArguments() throws {
        if !rawPathArgs.isEmpty {
            pathArgs = try rawPathArgs.map { raw in
                guard let raw else { return nil }
                guard let s = TornadoURLCoding.unquoteStrict(raw) else { throw HTTPError(400, "Invalid unicode in URL path") }
                return s
            }
        }
        if !rawPathKwargs.isEmpty {
            var out: [String: String?] = [:]
            for (k, raw) in rawPathKwargs {
                guard let raw else { out[k] = .some(nil); continue }
                guard let s = TornadoURLCoding.unquoteStrict(raw) else { throw HTTPError(400, "Invalid unicode in URL path") }
                out[k] = s
            }
            pathKwargs = out
        }
    }

    /// Turns an error thrown by a hook into a response (Tornado's `_handle_request_exception`).
    func handleRequestException(_ error: any Error) {
        if let f = error as? Finish {
            if !finished { finish(f.chunk) }
            return
        }
        if finished {
            HTTPLog.misuse("error after finish on \(requestSummary): \(error)")
            return
        }
        if let e = error as? HTTPError {
            if let m = e.logMessage, e.code >= 400 { HTTPLog.misuse("\(e.code) \(requestSummary): \(m)") }
            sendError(e.code, error: e)
        } else {
            HTTPLog.misuse("Uncaught exception \(requestSummary): \(String(reflecting: error))")
            sendError(500, error: error)
        }
    }

    // MARK: status and headers

    /// Resets status, headers and the unflushed buffer to their defaults (Tornado's `clear`).
    public func clear() {
        // A fresh array with room for the usual few headers (Etag, Content-Length…), rather than the shared
        // default one that the first `set` would copy and grow.
        var h = HTTPHeaders()
        h.reserveCapacity(4)
        h.add("Content-Type", "text/html; charset=UTF-8")
        headers = h
        setDefaultHeaders()
        buffer.clear()
        status = 200
        reason = nil
    }

    /// Sets the status and, optionally, a custom reason phrase (a reason with control characters or `<` is sent
    /// as "Unknown"; an unknown code without a reason gets "Unknown").
    public func setStatus(_ code: Int, reason: String? = nil) {
        status = code
        self.reason = reason.map(TornadoStatus.sanitizedReason)
    }

    /// Replaces header `name`. Throws ``UnsafeHeaderValue`` for CR, LF or other control characters.
    public func setHeader(_ name: String, _ value: String) throws {
        try Self.checkHeaderValue(value)
        headers.set(name, value)
    }

    public func setHeader(_ name: String, _ value: Int) { headers.set(name, String(value)) }

    /// Adds another header `name` (Tornado's `add_header`).
    public func addHeader(_ name: String, _ value: String) throws {
        try Self.checkHeaderValue(value)
        headers.add(name, value)
    }

    /// Removes header `name`.
    public func clearHeader(_ name: String) { headers.remove(name) }

    static func checkHeaderValue(_ value: String) throws {
        for c in value.utf8 where (c < 0x20 && c != 0x09) || c == 0x7F { throw UnsafeHeaderValue(value: value) }
    }

    // MARK: output

    /// Appends text to the output buffer. Ignored (logged) after ``finish()``.
    public func write(_ text: String) {
        guard checkWritable() else { return }
        buffer.writeString(text)
    }

    public func write(_ bytes: [UInt8]) {
        guard checkWritable() else { return }
        buffer.writeBytes(bytes)
    }

    public func write(_ bytes: ByteBuffer) {
        guard checkWritable() else { return }
        buffer.writeImmutableBuffer(bytes)
    }

    /// Writes `value` as JSON and sets `Content-Type: application/json; charset=UTF-8` (Tornado's
    /// `write(dict)`; `</` is written `<\/`).
    public func write(json value: some Encodable) throws {
        guard checkWritable() else { return }
        let data = try JSONEncoder().encode(value)
        buffer.writeBytes(data)
        headers.set("Content-Type", "application/json; charset=UTF-8")
    }

    private func checkWritable() -> Bool {
        if finished { HTTPLog.misuse("Cannot write() after finish() on \(requestSummary)"); return false }
        return true
    }

    /// Sends the buffered output now (the status line and headers first, on the first call). The Deferred fires
    /// when the connection can take more (at once unless the client is slow), for backpressure.
    @discardableResult
    public func flush() -> Deferred<Void> {
        if finished { HTTPLog.misuse("Cannot flush() after finish() on \(requestSummary)"); return Deferred.succeed(()) }
        var chunk = buffer
        buffer = ByteBuffer()
        if !headersWritten {
            commitHead(&chunk, finishing: false)
            if request.method == "HEAD" { chunk = ByteBuffer() }
        } else if let encoder {
            chunk = encoder.encode(chunk)
        }
        if flushControl == nil {
            let fc = FlushControl()
            flushControl = fc
            request.registerProducer(fc, streaming: true)
        }
        if chunk.readableBytes > 0 { request.write(chunk) }
        return flushControl!.wait()
    }

    /// Ends the response: computes the ETag of a 200 GET/HEAD and answers 304 when `If-None-Match` matches,
    /// sends what is buffered (with Content-Length when nothing was flushed), then calls ``onFinish()`` and
    /// logs the request. A second call is ignored (logged).
    public func finish(_ chunk: String? = nil) {
        if finished { HTTPLog.misuse("finish() called twice on \(requestSummary)"); return }
        if let chunk { buffer.writeString(chunk) }
        if !headersWritten {
            let m = request.method
            if status == 200 && (m == "GET" || m == "HEAD") && !headers.contains("Etag") {
                setEtagHeader()
                if checkEtagHeader() {
                    buffer.clear()
                    setStatus(304)
                }
            }
            if HTTPStatus.forbidsBody(status) {
                buffer.clear()
                if status == 304 {
                    headers.remove("Content-Encoding"); headers.remove("Content-Language"); headers.remove("Content-Type")
                }
                headers.remove("Content-Length")
            }
            var body = buffer
            buffer = ByteBuffer()
            commitHead(&body, finishing: true)
            finished = true
            request.writeAndFinish(body)
        } else {
            var tail = buffer
            buffer = ByteBuffer()
            if let encoder {
                tail = encoder.encode(tail)
                tail.writeImmutableBuffer(encoder.finish())
            }
            if request.method != "HEAD" && tail.readableBytes > 0 { request.write(tail) }
            if flushControl != nil { request.unregisterProducer(); flushControl?.release() }
            finished = true
            request.finish()
        }
        afterFinish()
    }

    private func afterFinish() {
        if startTime > 0 { endTime = Reactor.shared.seconds() }
        if Self.streamRequestBody { application.streamedBodies[ObjectIdentifier(request)] = nil }
        onFinish()
        if application.accessLog != nil || application.settings.logFunction != nil { application.logRequest(self) }
    }

    /// Applies status, headers, cookies and compression to the request (the head goes out with the first write).
    private func commitHead(_ chunk: inout ByteBuffer, finishing: Bool) {
        headersWritten = true
        if application.settings.compressResponse { compress(&chunk, finishing: finishing) }
        if let reason, reason != TornadoStatus.reason(status) {
            request.setResponseCode(status, message: reason)
        } else if TornadoStatus.reason(status) == "Unknown" {
            request.setResponseCode(status, message: "Unknown")
        } else {
            request.setResponseCode(status)
        }
        if newCookies.isEmpty {
            request.responseHeaders = headers
        } else {
            var h = headers
            for c in newCookies { h.add("Set-Cookie", c.header) }
            request.responseHeaders = h
        }
    }

    // MARK: ETag (the rest in RequestHandler+ETag.swift)

    /// The entity tag of the buffered body: the quoted SHA-1 hex (Tornado's `compute_etag`); nil for none.
    /// Every body is hashed: nothing of a response is kept after it is sent.
    open func computeEtag() -> String? {
        buffer.withUnsafeReadableBytes { HashDigest.sha1QuotedHex($0) }
    }

    // MARK: errors

    /// Answers with an error page for `code` (Tornado's `send_error`): drops unflushed output and headers, sets
    /// the status (and the ``HTTPError``'s reason), and calls ``writeError(_:error:)``. If the head was already
    /// sent, the response is just finished. If `writeError` throws, the response finishes with what it has.
    public func sendError(_ code: Int = 500, error: (any Error)? = nil) {
        if headersWritten {
            HTTPLog.misuse("Cannot send error response after headers written on \(requestSummary)")
            if !finished { finish() }
            return
        }
        clear()
        setStatus(code, reason: (error as? HTTPError)?.reason)
        do {
            try writeError(code, error: error)
        } catch {
            HTTPLog.misuse("Uncaught exception in writeError on \(requestSummary): \(error)")
        }
        if !finished { finish() }
    }

    /// Writes the error page (Tornado's `write_error`): `<html><title>CODE: REASON</title><body>CODE: REASON</body></html>`,
    /// or the error as plain text when tracebacks are served (debug). Override for custom pages.
    open func writeError(_ code: Int, error: (any Error)?) throws {
        if application.settings.showTraceback, let error {
            headers.set("Content-Type", "text/plain")
            finish("Traceback (most recent call last):\n\(String(reflecting: error))\n")
            return
        }
        let r = HTML.escape(reason ?? TornadoStatus.reason(code))
        let detail = (error as? HTTPError)?.detail.map { "<p>\(HTML.escape($0))</p>" } ?? ""
        finish("<html><title>\(code): \(r)</title><body>\(code): \(r)\(detail)</body></html>")
    }

    // MARK: redirect

    /// Redirects to `url` with 302, 301 when `permanent`, or `status` (a 3xx), and finishes. Throws when the
    /// head was already sent, `status` is not 3xx, or `url` holds control characters.
    public func redirect(_ url: String, permanent: Bool = false, status: Int? = nil) throws {
        if headersWritten { throw HTTPError(500, "Cannot redirect after headers have been written") }
        let code = status ?? (permanent ? 301 : 302)
        guard (300...399).contains(code) else { throw HTTPError(500, "redirect status \(code) is not a 3xx") }
        setStatus(code)
        try setHeader("Location", url)
        finish()
    }
}

extension RequestHandler: RequestLossObserver {}
