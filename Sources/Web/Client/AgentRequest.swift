import TwisterProtocols
import TwisterHTTP

/// One HTTP/1.1 request as the client protocol writes it (Twisted's `_newclient.Request`).
///
/// `target` is the request-target: origin-form (`/path?query`) for a direct request, absolute-form
/// (`http://host/path`) through a forward proxy. `headers` must already hold `Host`. The framing headers
/// (Content-Length / Transfer-Encoding) and `Connection: close` (when not `persistent`) are added on writing.
public struct AgentRequest {
    public var method: String
    public var target: String
    public var headers: HTTPHeaders
    public var bodyProducer: (any BodyProducer)?
    /// False sends `Connection: close`: the connection is not reused after this request.
    public var persistent: Bool
    /// Send `Expect: 100-continue` and wait for the server's go-ahead (or `expectContinueTimeout`) before the body.
    public var expectContinue: Bool = false
    public var expectContinueTimeout: Double = 1
    /// Deadline for the first byte of the response, counted from the end of the request.
    public var firstByteTimeout: Double?
    /// Deadline between two reads of the response body.
    public var bodyTimeout: Double?
    /// The serialized head, when the Agent built it ahead (cached per URL and method for a request without
    /// headers of the caller's or a body): written as is instead of `serializeHead`'s output, which it equals.
    var preparedHead: ByteBuffer?

    public init(method: String, target: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)? = nil, persistent: Bool = true) {
        self.method = method
        self.target = target
        self.headers = headers
        self.bodyProducer = bodyProducer
        self.persistent = persistent
    }

    /// Methods that carry a body by convention: without a producer they are sent with `Content-Length: 0`.
    static let methodsExpectingBody: Set<String> = ["POST", "PUT", "PATCH"]

    /// The head of a request without a body producer, as `HTTP11ClientProtocol.request` writes it.
    func serializeHeadWithoutBody() -> ByteBuffer {
        serializeHead(bodyLength: Self.methodsExpectingBody.contains(method) ? 0 : nil, chunked: false)
    }

    /// The request line and headers, serialized.
    func serializeHead(bodyLength: Int?, chunked: Bool) -> ByteBuffer {
        var out = ByteBuffer(capacity: 256)
        out.writeString(method)
        out.writeByte(0x20)
        out.writeString(target)
        out.writeString(" HTTP/1.1\r\n")
        for (name, value) in headers {
            if HTTPHeaders.equalsIgnoringCase(name, "Content-Length") || HTTPHeaders.equalsIgnoringCase(name, "Transfer-Encoding") { continue }
            if !persistent && HTTPHeaders.equalsIgnoringCase(name, "Connection") { continue }
            out.writeString(name)
            out.writeString(": ")
            out.writeString(value)
            out.writeString("\r\n")
        }
        if !persistent { out.writeString("Connection: close\r\n") }
        if chunked {
            out.writeString("Transfer-Encoding: chunked\r\n")
        } else if let bodyLength {
            out.writeString("Content-Length: \(bodyLength)\r\n")
        }
        if expectContinue && (bodyLength ?? 1) > 0 && bodyProducer != nil { out.writeString("Expect: 100-continue\r\n") }
        out.writeString("\r\n")
        return out
    }

    /// Throws when the method, target or a header could inject bytes into the request (CR, LF, NUL, spaces in the
    /// method or target).
    public func validate() throws {
        guard !method.isEmpty, method.utf8.allSatisfy(HTTPBytes.isTokenChar) else {
            throw ClientRequestError("method \(method.debugDescription) is not a token")
        }
        guard !target.isEmpty, target.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw ClientRequestError("request target \(target.debugDescription) holds spaces or control characters")
        }
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPBytes.isTokenChar) else {
                throw ClientRequestError("header name \(name.debugDescription) is not a token")
            }
            guard value.utf8.allSatisfy({ HTTPBytes.isFieldValueByte($0) }) else {
                throw ClientRequestError("value of header \(name) holds CR, LF or a control character")
            }
        }
    }
}
