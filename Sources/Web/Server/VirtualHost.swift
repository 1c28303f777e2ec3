import TwisterProtocols
import TwisterHTTP

/// Name-based virtual hosting (Twisted's `vhost.NameVirtualHost`): picks a resource by the request's Host
/// header (without port, case-insensitive) and delegates traversal and rendering to it.
///
/// Contract: an unknown host goes to ``defaultResource``, or gets 404 when there is none.
open class NameVirtualHost: Resource {
    public private(set) var hosts: [String: Resource] = [:]
    public var defaultResource: Resource?

    public override init() { super.init() }

    public func addHost(_ name: String, _ resource: Resource) { hosts[name.lowercased()] = resource }
    public func removeHost(_ name: String) { hosts[name.lowercased()] = nil }

    /// The resource for the request's host.
    public func resource(for request: Request) -> Resource {
        let host = request.getRequestHostname().lowercased()
        return hosts[host] ?? defaultResource ?? NoResource("No virtual host named \(host).")
    }

    open override func getChild(_ path: String, _ request: Request) -> Resource {
        let r = resource(for: request)
        if r.isLeaf {
            // The host's resource handles the whole path: give the segment back.
            request.postpath.insert(request.prepath.removeLast(), at: 0)
            return r
        }
        return r.getChildWithDefault(path, request)
    }

    open override func render(_ request: Request) throws -> RenderResult {
        try resource(for: request).render(request)
    }
}
