import TwisterProtocols
import TwisterHTTP

/// How the body of a request is delimited, decided from its head.
public enum HTTPBodyFraming: Equatable, Sendable {
    /// No body (neither Content-Length nor Transfer-Encoding).
    case none
    /// Exactly this many bytes (Content-Length).
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// The parsed head of one request.
public struct HTTPRequestHead: Sendable {
    public var method: String
    /// The request target exactly as sent (e.g. `/a/b?x=1`).
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: HTTPHeaders
    public var framing: HTTPBodyFraming
    /// The client sent `Connection: close`.
    public var connectionClose: Bool
    /// The client sent `Connection: keep-alive`.
    public var connectionKeepAlive: Bool
    /// The client sent `Expect: 100-continue`.
    public var expectContinue: Bool
}

/// Incremental parser of a request line and header fields (RFC 9112 §2-5), strict enough that no two
/// implementations can disagree on where this request ends.
///
/// Contract: call ``parse(_:)`` each time bytes are appended to the buffer. It consumes complete lines from the
/// front of the buffer (never more than the head) and remembers how far it scanned an incomplete line, so no byte
/// is examined twice. It returns the head once the empty line is consumed, then is ready for the next request.
/// It throws an ``HTTPParseError`` (400, 414, 431, 505) for input that must be refused; the parser is then unusable
/// (the connection is closing). Lines may end in CRLF or a bare LF; a bare CR anywhere is refused.
struct HTTPRequestHeadParser {
    let settings: HTTPServerSettings
    /// Bytes of the current incomplete line already scanned for LF.
    private var scanned = 0
    /// Bytes of this head consumed so far.
    private var headBytes = 0
    private var sawRequestLine = false
    private var blankLinesBefore = 0
    private var method = ""
    private var target = ""
    private var minor = 1
    private var headers = HTTPHeaders()
    private var contentLength: Int? = nil
    private var transferEncoding: [UInt8]? = nil
    private var hostCount = 0
    private var close = false
    private var keepAlive = false
    private var expectContinue = false

    init(settings: HTTPServerSettings) { self.settings = settings }

    /// True once some byte of a new request has been consumed or scanned (used by the header-read timeout).
    var inProgress: Bool { sawRequestLine || scanned > 0 || headBytes > 0 }

    private mutating func reset() {
        scanned = 0; headBytes = 0; sawRequestLine = false; blankLinesBefore = 0
        method = ""; target = ""; minor = 1; headers = HTTPHeaders()
        contentLength = nil; transferEncoding = nil; hostCount = 0
        close = false; keepAlive = false; expectContinue = false
    }

    /// Consumes as many complete head lines as `buffer` holds; returns the head when it is complete.
    mutating func parse(_ buffer: inout ByteBuffer) throws(HTTPParseError) -> HTTPRequestHead? {
        while true {
            guard let lf = buffer.firstIndex(of: HTTPBytes.lf, from: scanned) else {
                scanned = buffer.readableBytes
                try checkLength(scanned)
                return nil
            }
            try checkLength(lf + 1)
            let done: Bool = try buffer.withReadable { (raw) throws(HTTPParseError) -> Bool in
                var end = lf
                if end > 0 && raw[end - 1] == HTTPBytes.cr { end -= 1 }
                return try line(UnsafeRawBufferPointer(rebasing: raw[0..<end]))
            }
            buffer.moveReaderIndex(forwardBy: lf + 1)
            headBytes += lf + 1
            scanned = 0
            if done { return try finish() }
        }
    }

    private func checkLength(_ lineBytes: Int) throws(HTTPParseError) {
        if !sawRequestLine && lineBytes > settings.maxRequestLineLength {
            throw HTTPParseError(414, "request line too long")
        }
        if headBytes + lineBytes > settings.maxHeadSize {
            throw HTTPParseError(431, "request head too large")
        }
    }

    /// Handles one line (terminator removed). Returns true at the empty line that ends the head.
    private mutating func line(_ p: UnsafeRawBufferPointer) throws(HTTPParseError) -> Bool {
        for c in p where c == HTTPBytes.cr { throw .bad("bare CR") }
        if !sawRequestLine {
            if p.isEmpty {
                // RFC 9112 §2.2: ignore at least one empty line before a request.
                blankLinesBefore += 1
                if blankLinesBefore > 2 { throw .bad("empty lines before request") }
                return false
            }
            try requestLine(p)
            sawRequestLine = true
            return false
        }
        if p.isEmpty { return true }
        try headerLine(p)
        return false
    }

    private mutating func requestLine(_ p: UnsafeRawBufferPointer) throws(HTTPParseError) {
        guard let s1 = p.firstIndex(of: HTTPBytes.sp), s1 > 0 else { throw .bad("bad request line") }
        let rest = UnsafeRawBufferPointer(rebasing: p[(s1 + 1)...])
        guard let s2rel = rest.firstIndex(of: HTTPBytes.sp), s2rel > 0 else { throw .bad("bad request line") }
        let s2 = s1 + 1 + s2rel
        for i in 0..<s1 where !HTTPBytes.isTokenChar(p[i]) { throw .bad("bad method") }
        for i in (s1 + 1)..<s2 where !HTTPBytes.isTargetByte(p[i]) { throw .bad("bad request target") }
        let v = UnsafeRawBufferPointer(rebasing: p[(s2 + 1)...])
        // Exactly HTTP/d.d
        guard v.count == 8, v[0] == 0x48, v[1] == 0x54, v[2] == 0x54, v[3] == 0x50, v[4] == 0x2F,
              v[6] == 0x2E, (0x30...0x39).contains(v[5]), (0x30...0x39).contains(v[7]) else {
            throw .bad("bad HTTP version")
        }
        guard v[5] == 0x31, v[7] == 0x30 || v[7] == 0x31 else { throw HTTPParseError(505, "unsupported HTTP version") }
        minor = Int(v[7] - 0x30)
        method = Self.methodString(UnsafeRawBufferPointer(rebasing: p[0..<s1]))
        target = String(decoding: UnsafeRawBufferPointer(rebasing: p[(s1 + 1)..<s2]), as: UTF8.self)
    }

    /// Interned strings for the common methods (no allocation, and fast comparisons later).
    private static func methodString(_ m: UnsafeRawBufferPointer) -> String {
        switch m.count {
        case 3 where m[0] == 0x47 && m[1] == 0x45 && m[2] == 0x54: return "GET"
        case 3 where m[0] == 0x50 && m[1] == 0x55 && m[2] == 0x54: return "PUT"
        case 4 where m[0] == 0x50 && m[1] == 0x4F && m[2] == 0x53 && m[3] == 0x54: return "POST"
        case 4 where m[0] == 0x48 && m[1] == 0x45 && m[2] == 0x41 && m[3] == 0x44: return "HEAD"
        default: return String(decoding: m, as: UTF8.self)
        }
    }

    private mutating func headerLine(_ p: UnsafeRawBufferPointer) throws(HTTPParseError) {
        if p[0] == HTTPBytes.sp || p[0] == HTTPBytes.htab { throw .bad("obsolete line folding") }
        guard let colon = p.firstIndex(of: HTTPBytes.colon) else { throw .bad("header without colon") }
        guard colon > 0 else { throw .bad("empty header name") }
        for i in 0..<colon where !HTTPBytes.isTokenChar(p[i]) { throw .bad("bad header name") }
        var start = colon + 1, end = p.count
        while start < end && (p[start] == HTTPBytes.sp || p[start] == HTTPBytes.htab) { start += 1 }
        while end > start && (p[end - 1] == HTTPBytes.sp || p[end - 1] == HTTPBytes.htab) { end -= 1 }
        for i in start..<end where !HTTPBytes.isFieldValueByte(p[i]) { throw .bad("bad header value") }
        if headers.count >= settings.maxHeaderCount { throw HTTPParseError(431, "too many headers") }
        let nameP = UnsafeRawBufferPointer(rebasing: p[0..<colon])
        let valueP = UnsafeRawBufferPointer(rebasing: p[start..<end])
        try special(nameP, valueP)
        if headers.isEmpty { headers.reserveCapacity(8) }   // one allocation for a usual head, not four
        headers.add(String(decoding: nameP, as: UTF8.self), String(decoding: valueP, as: UTF8.self))
    }

    /// Records the fields that decide framing and persistence, refusing ambiguous ones.
    private mutating func special(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(HTTPParseError) {
        switch name.count {
        case 14 where HTTPBytes.equalsLowercase(name, "content-length"):
            if contentLength != nil { throw .bad("duplicate Content-Length") }
            guard !value.isEmpty, value.count <= 18 else { throw .bad("bad Content-Length") }
            var n = 0
            for c in value {
                guard c >= 0x30 && c <= 0x39 else { throw .bad("bad Content-Length") }
                n = n * 10 + Int(c - 0x30)
            }
            contentLength = n
        case 17 where HTTPBytes.equalsLowercase(name, "transfer-encoding"):
            if transferEncoding == nil { transferEncoding = Array(value) } else {
                transferEncoding!.append(0x2C); transferEncoding!.append(contentsOf: value)
            }
        case 4 where HTTPBytes.equalsLowercase(name, "host"):
            hostCount += 1
            if hostCount > 1 { throw .bad("duplicate Host") }
        case 10 where HTTPBytes.equalsLowercase(name, "connection"):
            for token in value.split(separator: 0x2C) {
                let t = Self.trim(token)
                if HTTPBytes.equalsLowercase(UnsafeRawBufferPointer(rebasing: t), "close") { close = true }
                else if HTTPBytes.equalsLowercase(UnsafeRawBufferPointer(rebasing: t), "keep-alive") { keepAlive = true }
            }
        case 6 where HTTPBytes.equalsLowercase(name, "expect"):
            if HTTPBytes.equalsLowercase(value, "100-continue") { expectContinue = true }
        default:
            break
        }
    }

    private static func trim(_ s: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var s = s
        while let f = s.first, f == HTTPBytes.sp || f == HTTPBytes.htab { s = s.dropFirst() }
        while let l = s.last, l == HTTPBytes.sp || l == HTTPBytes.htab { s = s.dropLast() }
        return s
    }

    /// Decides the framing at the end of the head (RFC 9112 §6.3, without the lenient cases).
    private mutating func finish() throws(HTTPParseError) -> HTTPRequestHead {
        var framing = HTTPBodyFraming.none
        if let te = transferEncoding {
            var codings: [ArraySlice<UInt8>] = []
            for part in te.split(separator: 0x2C, omittingEmptySubsequences: false) {
                var s = part
                while let f = s.first, f == HTTPBytes.sp || f == HTTPBytes.htab { s = s.dropFirst() }
                while let l = s.last, l == HTTPBytes.sp || l == HTTPBytes.htab { s = s.dropLast() }
                codings.append(s)
            }
            let lowered = codings.map { String(decoding: $0, as: UTF8.self).lowercased() }
            if lowered == ["identity"] {
                // Twisted accepts `identity` (RFC 2616's no-op coding): framing falls back to Content-Length.
            } else if lowered == ["chunked"] {
                if contentLength != nil { throw .bad("both Content-Length and Transfer-Encoding") }
                if minor == 0 { throw .bad("Transfer-Encoding in HTTP/1.0") }
                framing = .chunked
            } else {
                throw .bad("unsupported Transfer-Encoding")
            }
        }
        if framing == .none, let n = contentLength, n > 0 { framing = .length(n) }
        if minor == 1 && hostCount == 0 { throw .bad("missing Host") }
        let head = HTTPRequestHead(method: method, target: target, minorVersion: minor, headers: headers,
                                   framing: framing, connectionClose: close, connectionKeepAlive: keepAlive,
                                   expectContinue: expectContinue)
        reset()
        return head
    }
}
