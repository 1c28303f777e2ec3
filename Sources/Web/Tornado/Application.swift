import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation
import TwisterTemplates

/// Tornado's `Application`, mounted as one ``Resource`` on a ``Site`` (the seam the 2009 port used, done with a
/// real request adapter): the Site's HTTP channel owns framing and keep-alive; the Application routes the request
/// to a fresh ``RequestHandler`` and the handler answers through the ``Request``.
///
/// Routing follows Tornado's rules: host rules added with ``addHandlers(_:_:)`` are tried in the order added,
/// then the rules given at init (the wildcard host), then, for requests without `X-Real-Ip`, the rules of the
/// host matching ``ApplicationSettings/defaultHost``. Within a host, the first matching ``URLSpec`` wins. No
/// match: ``ApplicationSettings/defaultHandler``, else 404 with Tornado's page. With ``ApplicationSettings/staticPath``
/// (or `staticContent`) the static routes come first, as in Tornado.
///
/// All calls are on the reactor thread. The Application is a leaf: the whole path below its mount point is its
/// to route (the handler sees the full request path, as in Tornado).
@ReactorActor
public final class Application: Resource {
    // The vars read on every request are `@exclusivity(unchecked)` (Docs/internals/design.md, "No dynamic exclusivity
    // checks"): the application is confined to the reactor thread and they are read, or replaced whole, in
    // accesses that run no user code (`add(_:to:)` only appends). `streamedBodies` keeps its checks: removing an
    // entry may release a handler, whose deinit is user code.
    @exclusivity(unchecked) public var settings: ApplicationSettings
    /// Receives the access log line (`200 GET /path (ip) 1.23ms`) and its level; nil (default) logs nothing.
    @exclusivity(unchecked) public var accessLog: ((AccessLogLevel, String) -> Void)?
    @exclusivity(unchecked) private(set) var wildcardRules: [URLSpec] = []
    @exclusivity(unchecked) private(set) var hostRules: [(host: NSRegularExpression, rules: [URLSpec])] = []
    @exclusivity(unchecked) private var defaultHostRules: [(host: NSRegularExpression, rules: [URLSpec])] = []
    private(set) var namedSpecs: [String: URLSpec] = [:]
    /// The template loader for ``RequestHandler/render(_:_:)`` (from the settings).
    public private(set) var templateLoader: Loader?
    /// Static-file versions (content hashes), shared with templates' `static_url`.
    let staticVersions: StaticVersions
    /// Requests whose body is being streamed to a handler (see ``bodyStreamer(for:)``), until `render`.
    var streamedBodies: [ObjectIdentifier: StreamedRequestBody] = [:]
    /// False while no route can stream bodies (every handler type is known not to), so that requests with a
    /// body are routed once, in `render`.
    @exclusivity(unchecked) private(set) var mayStreamBodies = false
    /// The current time in seconds since the epoch (replaceable for tests of cookie ages).
    public var now: () -> Double = { Date().timeIntervalSince1970 }

    /// An application serving `handlers` for every host.
    public init(_ handlers: [URLSpec] = [], settings: ApplicationSettings = ApplicationSettings()) {
        self.settings = settings
        if let loader = settings.templateLoader {
            templateLoader = loader
        } else if let path = settings.templatePath {
            templateLoader = Loader(root: path, reload: settings.debug)
        }
        if settings.debug { templateLoader?.reload = true }
        staticVersions = StaticVersions(root: settings.staticPath, content: settings.staticContent,
                                        prefix: settings.staticURLPrefix, cache: !settings.debug)
        super.init()
        if settings.staticPath != nil || settings.staticContent != nil {
            let type = settings.staticHandlerType
            let prefix = NSRegularExpression.escapedPattern(for: settings.staticURLPrefix)
            wildcardRules = [
                URLSpec(prefix + "(.*)", type),
                URLSpec("/(favicon\\.ico)", type),
                URLSpec("/(robots\\.txt)", type),
            ]
            if type.streamRequestBody { mayStreamBodies = true }
        }
        add(handlers, to: &wildcardRules)
    }

    public override var isLeaf: Bool { true }

    /// Adds rules for hosts matching `hostPattern` (a regex matched against the whole host name, port removed),
    /// tried before the wildcard rules, in the order added (Tornado's `add_handlers`).
    public func addHandlers(_ hostPattern: String, _ handlers: [URLSpec]) {
        var p = hostPattern
        if !p.hasSuffix("$") { p += "$" }
        guard let re = try? NSRegularExpression(pattern: "^(?:" + p + ")", options: [.caseInsensitive]) else {
            HTTPLog.misuse("host pattern \(hostPattern.debugDescription) does not compile")
            return
        }
        var rules: [URLSpec] = []
        add(handlers, to: &rules)
        hostRules.append((re, rules))
        if let dh = settings.defaultHost, Self.matches(re, dh) { defaultHostRules.append((re, rules)) }
    }

    private func add(_ handlers: [URLSpec], to rules: inout [URLSpec]) {
        for spec in handlers {
            rules.append(spec)
            if spec.streamsRequestBody != false { mayStreamBodies = true }
            if let n = spec.name {
                if namedSpecs[n] != nil { HTTPLog.misuse("multiple handlers named \(n); replacing the previous one") }
                namedSpecs[n] = spec
            }
        }
    }

    private static func matches(_ re: NSRegularExpression, _ s: String) -> Bool {
        re.firstMatch(in: s, options: [.anchored], range: NSRange(location: 0, length: (s as NSString).length)) != nil
    }

    /// The path of the route named `name` with `arguments` filled into its groups, each percent-encoded
    /// (`/` kept; `"1 + 1"` → `1%20%2B%201`). Throws for an unknown name or a pattern too complex to reverse.
    public func reverseURL(_ name: String, _ arguments: any ReverseURLArgument...) throws -> String {
        try reverseURL(name, arguments: arguments)
    }

    public func reverseURL(_ name: String, arguments: [any ReverseURLArgument]) throws -> String {
        guard let spec = namedSpecs[name] else { throw RouteError("\(name) not found in named urls") }
        return try spec.reverse(arguments.map { TornadoURLCoding.quote($0.reverseURLBytes) })
    }

    /// Finds the route for `request`: the spec and its raw groups.
    func findRoute(_ request: Request) -> (URLSpec, [Substring?], [String: Substring?])? {
        let path = request.path
        if !hostRules.isEmpty {
            let host = request.getRequestHostname().lowercased()
            for (re, rules) in hostRules where Self.matches(re, host) {
                if let r = Self.first(rules, path) { return r }
            }
        }
        if let r = Self.first(wildcardRules, path) { return r }
        if !defaultHostRules.isEmpty && request.getHeader("X-Real-Ip") == nil {
            for (_, rules) in defaultHostRules { if let r = Self.first(rules, path) { return r } }
        }
        return nil
    }

    private static func first(_ rules: [URLSpec], _ path: String) -> (URLSpec, [Substring?], [String: Substring?])? {
        for spec in rules {
            if let (p, n) = spec.match(path) { return (spec, p, n) }
        }
        return nil
    }

    /// Called by the Site once the head of a request with a body is in, before any body byte is read: when the
    /// route's handler has ``RequestHandler/streamRequestBody`` set, the handler is made and `prepare` runs now,
    /// and the body goes to its ``RequestHandler/dataReceived(_:)``. Otherwise nil (the body is buffered and
    /// ``render(_:)`` routes as usual).
    public override func bodyStreamer(for request: Request) -> (any RequestBodyStreamer)? {
        mayStreamBodies ? streamingHandler(for: request) : nil
    }

    /// Routes and runs the handler (see ``RequestHandler`` for the lifecycle). The handler answers through the
    /// request, so this always returns `.notDoneYet`.
    public override func render(_ request: Request) throws -> RenderResult {
        // A streamed body: its handler is already running (the verb ran or runs after the last piece).
        if mayStreamBodies, !streamedBodies.isEmpty, streamedBodies.removeValue(forKey: ObjectIdentifier(request)) != nil { return .notDoneYet }
        let handler: RequestHandler
        if let (spec, positional, named) = findRoute(request) {
            handler = spec.makeHandler()
            handler.setUp(application: self, request: request)
            handler.rawPathArgs = positional
            handler.rawPathKwargs = named
            handler.initialize(spec.arguments)
        } else if let make = settings.defaultHandler {
            handler = make()
            handler.setUp(application: self, request: request)
            handler.initialize([:])
        } else {
            let h = ErrorHandler()
            h.setUp(application: self, request: request)
            h.initialize(["status": 404])
            handler = h
        }
        handler.execute()
        return .notDoneYet
    }

    /// Writes the access log line for a finished handler (Tornado's `log_request`).
    func logRequest(_ handler: RequestHandler) {
        if let f = settings.logFunction { f(handler); return }
        guard let log = accessLog else { return }
        let status = handler.status
        let level: AccessLogLevel = status < 400 ? .info : status < 500 ? .warning : .error
        log(level, TornadoAccessLog.line(handler))
    }

    /// A ``Site`` serving this application at its root. `clock` drives the server's idle, header and abort
    /// timeouts and session expiry: the reactor by default, as for ``Site/init(_:settings:clock:)``; pass a
    /// ``Clock`` in tests, or nil to disable every timeout.
    public func makeSite(settings: HTTPServerSettings = HTTPServerSettings(), clock: (any ReactorTime)? = Reactor.shared) -> Site {
        Site(self, settings: settings, clock: clock)
    }

    /// Listens on a server endpoint description (`tcp:8888`, `tcp:0:interface=127.0.0.1`, `unix:/path`) with a
    /// Site for this application, using the shared reactor's timers (Tornado's `Application.listen`).
    public func listen(_ description: String, settings: HTTPServerSettings = HTTPServerSettings()) throws -> Deferred<any ListeningPort> {
        let reactor = Reactor.shared
        return try serverFromString(reactor, description).listen(makeSite(settings: settings, clock: reactor))
    }
}
