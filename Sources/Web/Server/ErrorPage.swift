import TwisterProtocols
import TwisterHTTP

/// A resource that answers every request with an error status and an HTML page (Twisted's `pages.errorPage`).
///
/// Contract: `brief` and `detail` are plain text; they are HTML-escaped before they go into the page, so a URL or
/// method echoed back cannot inject markup. It is a leaf: any path below it gets the same page.
open class ErrorPage: Resource {
    public let code: Int
    public let brief: String
    public let detail: String

    public init(code: Int, brief: String, detail: String) {
        self.code = code
        self.brief = brief
        self.detail = detail
        super.init()
    }

    open override var isLeaf: Bool { true }
    open override func getChild(_ path: String, _ request: Request) -> Resource { self }

    open override func render(_ request: Request) throws -> RenderResult {
        request.setResponseCode(code)
        request.setHeader("Content-Type", "text/html; charset=utf-8")
        return .body(ByteBuffer(string: ErrorPage.html(code: code, brief: brief, detail: detail)))
    }

    /// The page markup for `code`, with `brief` as title and heading and `detail` as the paragraph (both escaped).
    public static func html(code: Int, brief: String, detail: String) -> String {
        let b = HTML.escape(brief)
        return "<!DOCTYPE html>\n<html><head><title>\(code) - \(b)</title></head><body><h1>\(b)</h1><p>\(HTML.escape(detail))</p></body></html>\n"
    }
}

/// The 404 resource returned by ``Resource/getChild(_:_:)`` by default (Twisted's `pages.notFound`).
open class NoResource: ErrorPage {
    public init(_ detail: String = "Sorry. No luck finding that resource.") {
        super.init(code: 404, brief: "No Such Resource", detail: detail)
    }
}

/// A 403 resource (Twisted's `pages.forbidden`).
open class ForbiddenResource: ErrorPage {
    public init(_ detail: String = "Sorry, resource is forbidden.") {
        super.init(code: 403, brief: "Forbidden Resource", detail: detail)
    }
}
