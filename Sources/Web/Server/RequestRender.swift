import TwisterProtocols
import TwisterHTTP

/// Rendering a resource into a request, and turning errors into pages (Twisted's `Request.render` and
/// `processingFailed`).
extension Request {
    /// Methods that get 405 when a resource lacks them; any other method gets 501 (see Docs/guide-web.md).
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]

    /// Renders `resource`: calls its `render`, then writes a returned body, waits for a Deferred, or leaves
    /// the request to the resource (`.notDoneYet`). An ``UnsupportedMethod`` becomes 405 (known method, with
    /// `Allow`) or 501; any other error an error page.
    public func render(_ resource: Resource) {
        let result: RenderResult
        do {
            result = try resource.render(self)
        } catch let e as UnsupportedMethod {
            unsupported(e)
            return
        } catch {
            processingFailed(error)
            return
        }
        switch result {
        case .body(let b):
            writeAndFinish(b)
        case .notDoneYet:
            break
        case .deferred(let d):
            _ = d.addCallbacks({ (body: ByteBuffer) -> Void in
                if !self.finished && !self.disconnected { self.writeAndFinish(body) }
            }, { (f: Failure) -> Void in
                if !self.finished && !self.disconnected { self.processingFailed(f.error) }
            })
        }
    }

    private func unsupported(_ e: UnsupportedMethod) {
        let allowed = e.allowedMethods
        if Self.knownMethods.contains(method) {
            setResponseCode(405)
            setHeader("Allow", allowed.joined(separator: ", "))
            setHeader("Content-Type", "text/html; charset=utf-8")
            writeAndFinish(ByteBuffer(string: ErrorPage.html(code: 405, brief: "Method Not Allowed",
                detail: "Your browser approached me (at \(uri)) with the method \"\(method)\". I only allow the method\(allowed.count == 1 ? "" : "s") \(allowed.joined(separator: ", ")) here.")))
        } else {
            setResponseCode(501)
            setHeader("Content-Type", "text/html; charset=utf-8")
            writeAndFinish(ByteBuffer(string: ErrorPage.html(code: 501, brief: "Not Implemented",
                detail: "I don't know how to treat a \(method) request (at \(uri)).")))
        }
    }

    /// Ends a response that cannot be completed: no last chunk (so the client sees a truncated body, not a
    /// complete one) and the connection is closed.
    func finishTruncated() {
        persistent = false
        truncated = true
        finish()
    }

    /// Answers an error raised while rendering: a ``ResourceError``'s status, else 500. The page shows the
    /// error text (escaped) only when the Site's `displayTracebacks` is on. If the head was already sent the
    /// connection is closed instead (the response cannot be repaired).
    public func processingFailed(_ error: any Error) {
        if finished || disconnected { return }
        if startedWriting {
            HTTPLog.misuse("error after the response started on \(method) \(uri): \(error)")
            finishTruncated()
            return
        }
        responseHeaders = HTTPHeaders()
        setHeader("Content-Type", "text/html; charset=utf-8")
        if let e = error as? ResourceError {
            setResponseCode(e.code)
            writeAndFinish(ByteBuffer(string: ErrorPage.html(code: e.code, brief: HTTPStatus.reason(e.code), detail: e.message)))
            return
        }
        setResponseCode(500)
        let detail = (site?.displayTracebacks ?? false)
            ? "\(String(reflecting: error))"
            : "An error occurred while processing this request."
        writeAndFinish(ByteBuffer(string: ErrorPage.html(code: 500, brief: "Processing Failed", detail: detail)))
    }
}
