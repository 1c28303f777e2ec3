import TwisterProtocols
import TwisterHTTP

/// Wraps a resource so that its responses are gzip-compressed when the client accepts gzip (Twisted's
/// `EncodingResourceWrapper(resource, [GzipEncoderFactory()])`).
///
/// Contract: applies when any `Accept-Encoding` header lists `gzip` (tokens compared case-insensitively,
/// spaces and q-values allowed; `gzip;q=0` refuses it). It appends `gzip` to Content-Encoding and sets
/// `Vary: Accept-Encoding`. A body returned whole gets an exact Content-Length; a streamed one is chunked.
/// Children are not wrapped (as in Twisted).
open class EncodingResourceWrapper: Resource {
    public let wrapped: Resource
    /// Bodies smaller than this are sent as they are.
    public var minimumSize = 0

    public init(_ wrapped: Resource) {
        self.wrapped = wrapped
        super.init()
    }

    open override var isLeaf: Bool { wrapped.isLeaf }
    open override var allowedMethods: [String] { wrapped.allowedMethods }
    open override func getChild(_ path: String, _ request: Request) -> Resource { wrapped.getChildWithDefault(path, request) }

    open override func render(_ request: Request) throws -> RenderResult {
        if Self.acceptsGzip(request) { request.installEncoder(GzipEncoder()) }
        return try wrapped.render(request)
    }

    /// True when an Accept-Encoding header lists gzip with a non-zero q-value.
    public static func acceptsGzip(_ request: Request) -> Bool {
        for header in request.requestHeaders.values("Accept-Encoding") {
            for item in header.split(separator: ",") {
                let parts = item.split(separator: ";")
                guard let coding = parts.first?.trimmingSpaces, HTTPHeaders.equalsIgnoringCase(coding, "gzip") else { continue }
                for p in parts.dropFirst() {
                    let kv = p.trimmingSpaces
                    if kv.hasPrefix("q="), let q = Double(kv.dropFirst(2)), q == 0 { return false }
                }
                return true
            }
        }
        return false
    }
}
