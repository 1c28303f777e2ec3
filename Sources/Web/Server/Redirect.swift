import TwisterProtocols
import TwisterHTTP

/// Answers with a 302 to `url`: sets `Location` and returns a small HTML page with a meta refresh and a link,
/// the URL escaped in both (Twisted's `util.redirectTo`).
@ReactorActor
public func redirectTo(_ url: String, _ request: Request) -> ByteBuffer {
    request.redirect(url)
    request.setHeader("Content-Type", "text/html; charset=utf-8")
    let e = HTML.escape(url)
    return ByteBuffer(string: """
        <!DOCTYPE html>
        <html><head><meta http-equiv="refresh" content="0;URL=\(e)"></head>
        <body bgcolor="#FFFFFF" text="#000000"><a href="\(e)">click here</a></body></html>

        """)
}

/// A leaf resource redirecting every request to a fixed URL with 302 (Twisted's `util.Redirect`).
open class Redirect: Resource {
    public let url: String
    public init(_ url: String) { self.url = url; super.init() }
    open override var isLeaf: Bool { true }
    open override var allowedMethods: [String] { ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] }
    open override func render(_ request: Request) throws -> RenderResult { .body(redirectTo(url, request)) }
}
