/// Byte strings of the response head, built once.
enum StaticBytes {
    static let http11: [UInt8] = Array("HTTP/1.1 ".utf8)
    static let crlf: [UInt8] = [13, 10]
    static let colonSpace: [UInt8] = [58, 32]
    static let server: [UInt8] = Array("Server: ".utf8)
    static let contentLength: [UInt8] = Array("Content-Length: ".utf8)
    static let chunked: [UInt8] = Array("Transfer-Encoding: chunked\r\n".utf8)
    static let defaultType: [UInt8] = Array("Content-Type: text/html\r\n".utf8)
    static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
    static let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)
    static let continue100: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
