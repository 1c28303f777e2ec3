import TwisterProtocols
import TwisterHTTP

/// A node of the resource tree (Twisted's `resource.Resource`).
///
/// Traversal (done by ``Site``): for each remaining path segment, unless this resource ``isLeaf``, the Site calls
/// ``getChildWithDefault(_:_:)``, which returns a child registered with ``putChild(_:_:)`` or else asks
/// ``getChild(_:_:)`` (404 by default). The resource reached renders the request with ``render(_:)``.
///
/// Rendering: ``render(_:)`` dispatches on the method, exactly as sent (case-sensitive), to `renderGET`,
/// `renderHEAD` (which defaults to `renderGET`, the body being dropped), `renderPOST`, `renderPUT`,
/// `renderDELETE`, `renderPATCH` and `renderOPTIONS`. A method without a handler throws ``UnsupportedMethod``;
/// the Request answers 405 with `Allow` for a known method and 501 for an unknown one. Swift cannot list which
/// methods a subclass overrides, so a resource that implements more than GET (and HEAD) should override
/// ``allowedMethods`` so that the 405's `Allow` header is right.
///
/// All calls come on the reactor thread.
@ReactorActor
open class Resource {
    /// Children registered with ``putChild(_:_:)``, by path segment.
    public private(set) var children: [String: Resource] = [:]

    public init() {}

    /// True when this resource handles every path below it itself: traversal stops here and the remaining
    /// segments stay in `request.postpath`.
    open var isLeaf: Bool { false }

    /// The methods this resource answers, for the `Allow` header of a 405. Default: GET and HEAD.
    open var allowedMethods: [String] { ["GET", "HEAD"] }

    /// Registers `child` under the path segment `path` (`""` is the child for a trailing slash).
    open func putChild(_ path: String, _ child: Resource) {
        children[path] = child
    }

    /// The child for `path` when no static child was registered. Default: a 404 ``NoResource``.
    open func getChild(_ path: String, _ request: Request) -> Resource {
        NoResource()
    }

    /// A static child if there is one, else ``getChild(_:_:)``.
    public final func getChildWithDefault(_ path: String, _ request: Request) -> Resource {
        if let c = children[path] { return c }
        return getChild(path, request)
    }

    /// Return a streamer to receive this request's body as it arrives instead of having it buffered in
    /// `request.content` (called once the head is in, after traversal, before any body byte and before
    /// `100 Continue` is sent). The resource may also answer here (e.g. 413 or 401, then `finish()`): the body is
    /// then not read and the connection is closed after the response. Default: nil (buffer the body).
    open func bodyStreamer(for request: Request) -> (any RequestBodyStreamer)? { nil }

    /// Renders the request: dispatches to the per-method handler (see the type's documentation).
    open func render(_ request: Request) throws -> RenderResult {
        switch request.method {
        case "GET": return try renderGET(request)
        case "HEAD": return try renderHEAD(request)
        case "POST": return try renderPOST(request)
        case "PUT": return try renderPUT(request)
        case "DELETE": return try renderDELETE(request)
        case "PATCH": return try renderPATCH(request)
        case "OPTIONS": return try renderOPTIONS(request)
        default: throw UnsupportedMethod(allowedMethods: allowedMethods)
        }
    }

    open func renderGET(_ request: Request) throws -> RenderResult { throw UnsupportedMethod(allowedMethods: allowedMethods) }
    /// Defaults to ``renderGET(_:)``; the Request drops the body and keeps its length as Content-Length.
    open func renderHEAD(_ request: Request) throws -> RenderResult { try renderGET(request) }
    open func renderPOST(_ request: Request) throws -> RenderResult { throw UnsupportedMethod(allowedMethods: allowedMethods) }
    open func renderPUT(_ request: Request) throws -> RenderResult { throw UnsupportedMethod(allowedMethods: allowedMethods) }
    open func renderDELETE(_ request: Request) throws -> RenderResult { throw UnsupportedMethod(allowedMethods: allowedMethods) }
    open func renderPATCH(_ request: Request) throws -> RenderResult { throw UnsupportedMethod(allowedMethods: allowedMethods) }
    open func renderOPTIONS(_ request: Request) throws -> RenderResult { throw UnsupportedMethod(allowedMethods: allowedMethods) }
}

extension Resource {
    /// Walks `request.postpath` from this resource (Twisted's `getChildForRequest`): moves each segment to
    /// `prepath` and descends, until postpath is empty or a leaf is reached.
    public func childForRequest(_ request: Request) -> Resource {
        var resource: Resource = self
        if request.postpath.count == 1 && request.prepath.isEmpty && !resource.isLeaf {
            // One segment (e.g. `/`): move the whole array over, no allocation.
            let segment = request.postpath[0]
            request.prepath = request.postpath
            request.postpath = []
            return resource.getChildWithDefault(segment, request)
        }
        while !request.postpath.isEmpty && !resource.isLeaf {
            let segment = request.postpath.removeFirst()
            request.prepath.append(segment)
            resource = resource.getChildWithDefault(segment, request)
        }
        return resource
    }
}
