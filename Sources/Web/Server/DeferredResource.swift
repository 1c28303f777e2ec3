import TwisterProtocols
import TwisterHTTP

/// A resource that will only be known later (Twisted's `util.DeferredResource`).
///
/// Contract: a leaf that, when rendered, waits for `deferred` (no Task), then traverses the rest of the path
/// from the resource it produced and renders that. A failure answers with an error page (the status of a
/// ``ResourceError``, else 500).
open class DeferredResource: Resource {
    public let deferred: Deferred<Resource>

    public init(_ deferred: Deferred<Resource>) {
        self.deferred = deferred
        super.init()
    }

    open override var isLeaf: Bool { true }
    open override var allowedMethods: [String] { ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] }

    open override func render(_ request: Request) throws -> RenderResult {
        deferred.addCallbacks({ (resource: Resource) -> Resource in
            if !request.finished && !request.disconnected { request.render(resource.childForRequest(request)) }
            return resource
        }, { (f: Failure) -> Resource in
            if !request.finished && !request.disconnected { request.processingFailed(f.error) }
            throw f
        }).addErrback { _ in NoResource() }
        return .notDoneYet
    }
}
