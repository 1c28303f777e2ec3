import TwisterProtocols
import TwisterHTTP

/// A leaf resource serving fixed bytes with a content type (Twisted's `static.Data`).
///
/// GET (and HEAD) answer 200 with the bytes; other methods get 405 (`Allow: GET, HEAD`).
open class StaticData: Resource {
    public var data: ByteBuffer
    public var type: String

    public init(_ data: ByteBuffer, type: String) {
        self.data = data
        self.type = type
        super.init()
    }

    public convenience init(_ text: String, type: String = "text/plain; charset=utf-8") {
        self.init(ByteBuffer(string: text), type: type)
    }

    open override var isLeaf: Bool { true }

    open override func renderGET(_ request: Request) throws -> RenderResult {
        request.setHeader("Content-Type", type)
        return .body(data)
    }
}
