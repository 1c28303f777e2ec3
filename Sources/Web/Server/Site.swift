import TwisterProtocols
import TwisterHTTP

/// The factory of HTTP channels serving a resource tree (Twisted's `server.Site`).
///
/// Contract: each connection gets an ``HTTPChannel`` with a copy of ``settings``. For each request the Site
/// (on the reactor thread) sets `prepath` empty and `postpath` to the percent-decoded path segments, answers a
/// `*` target itself (OPTIONS → 200, anything else → 405 `Allow: OPTIONS`), parses form bodies into
/// `request.args` (a bad multipart body → 400), traverses from ``resource`` and renders what it reaches.
/// Errors in rendering become escaped HTML error pages; the error's text is shown only when
/// ``displayTracebacks`` is true. After each response the access log line (combined format) goes to
/// ``accessLog`` when set. Sessions live in the Site, keyed by id, and expire after ``sessionTimeout`` seconds
/// without use (needs a ``ReactorTime``).
@ReactorActor
public final class Site: Factory {
    // The vars read on every request are `@exclusivity(unchecked)` (Docs/internals/design.md, "No dynamic exclusivity
    // checks"): the Site is confined to the reactor thread and they are only read or replaced whole (a closure is
    // copied out before it is called). `sessions` keeps its checks: removing a session may run its deinit.
    /// The root of the resource tree.
    @exclusivity(unchecked) public var resource: Resource
    @exclusivity(unchecked) public var settings: HTTPServerSettings
    /// Show error details (escaped) in 500 pages. Off by default.
    @exclusivity(unchecked) public var displayTracebacks = false
    /// Receives one combined-format line per finished request; nil (the default) turns logging off.
    @exclusivity(unchecked) public var accessLog: ((String) -> Void)?
    /// Log the first `X-Forwarded-For` address instead of the peer (behind a trusted proxy).
    @exclusivity(unchecked) public var logForwardedFor = false
    /// Seconds of inactivity after which a session expires (Twisted: 900).
    public var sessionTimeout: Double = 900
    /// The time source for timeouts and sessions (the reactor by default); nil disables timeouts.
    public let clock: (any ReactorTime)?
    /// Live sessions by id.
    public internal(set) var sessions: [String: WebSession] = [:]
    /// Decides where a request body goes (Twisted's `getContentFile`): return a ``RequestBody`` to use.
    /// Default: memory up to ``HTTPServerSettings/maxInMemoryBodySize``, then a temporary file.
    @exclusivity(unchecked) public var contentFileHook: ((Int?) -> RequestBody)?

    /// A Site serving `resource`. `clock` drives timeouts and session expiry: the reactor by default; pass a
    /// ``Clock`` in tests, or nil to disable every timeout.
    public init(_ resource: Resource, settings: HTTPServerSettings = HTTPServerSettings(),
                clock: (any ReactorTime)? = Reactor.shared) {
        self.resource = resource
        self.settings = settings
        self.clock = clock
        super.init()
    }

    public override func buildProtocol(_ addr: Address) -> Protocol? {
        // `factory` (a weak reference) is deliberately not set: it would give the Site a side table and slow
        // every retain of it; the channel holds its Site strongly instead.
        HTTPChannel(site: self, settings: settings, clock: clock)
    }

    /// Handles one request read by a channel (Twisted's `Request.process`): traverses and renders.
    public func process(_ request: Request) {
        guard prepare(request) else { return }
        request.render(getResourceFor(request))
    }

    /// Called by the channel once the head of a request with a body is in: traverses the tree at once and asks
    /// the resource whether it streams the body (``Resource/bodyStreamer(for:)``). The body is then read and
    /// ``render(_:)`` called.
    func headReceived(_ request: Request) -> (any RequestBodyStreamer)? {
        guard prepare(request) else { return nil }
        let r = getResourceFor(request)
        request.resource = r
        return r.bodyStreamer(for: request)
    }

    /// Called by the channel when the body of a request announced by ``headReceived(_:)`` is complete.
    func render(_ request: Request) {
        guard !request.finished, let r = request.resource else { return }
        if request.content.count > 0 && request.content.count <= settings.maxFormBodySize {
            do { try request.parseBodyArguments() } catch {
                request.processingFailed(ResourceError(400, "Bad multipart or form body"))
                return
            }
        }
        request.render(r)
    }

    /// Sets up prepath/postpath; answers `*` targets. Returns false when the request was answered.
    private func prepare(_ request: Request) -> Bool {
        request.site = self
        if accessLog != nil { request.startTime = clock?.seconds() ?? 0 }
        if request.uri == "*" {
            if request.method == "OPTIONS" {
                request.setHeader("Content-Length", "0")
                request.writeAndFinish(ByteBuffer())
            } else {
                request.setResponseCode(405)
                request.setHeader("Allow", "OPTIONS")
                request.writeAndFinish(ByteBuffer())
            }
            return false
        }
        request.prepath = []
        request.postpath = URLCoding.pathSegments(request.path)
        request.sitepath = request.prepath
        return true
    }

    /// Traverses from the root (Twisted's `getResourceFor`).
    public func getResourceFor(_ request: Request) -> Resource {
        request.sitepath = request.prepath
        return resource.childForRequest(request)
    }

    /// Called when a request finishes: writes the access-log line.
    func requestFinished(_ request: Request) {
        guard let log = accessLog else { return }
        log(AccessLog.combinedLine(request, forwardedFor: logForwardedFor))
    }
}
