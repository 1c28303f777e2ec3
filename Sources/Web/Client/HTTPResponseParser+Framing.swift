import TwisterProtocols
import TwisterHTTP

/// How a response's body is delimited (RFC 9112 §6.3) and whether its connection may be reused: the facts taken
/// from its fields as they are parsed (Content-Length, Transfer-Encoding, Connection), the fast decision from
/// them, and the full rule for the rest.
extension HTTPResponseParser {
    /// The fields the framing and the connection's reuse depend on.
    enum FieldKind { case other, contentLength, transferEncoding, connection }

    /// Which of those `name` is (ASCII case-insensitive), from its bytes.
    static func fieldKind(_ name: UnsafeRawBufferPointer) -> FieldKind {
        func matches(_ lower: StaticString) -> Bool {
            guard name.count == lower.utf8CodeUnitCount else { return false }
            let l = lower.utf8Start
            for i in 0..<name.count where name[i] | 0x20 != l[i] { return false }
            return true
        }
        switch name.count {
        case 14: return matches("content-length") ? .contentLength : .other
        case 17: return matches("transfer-encoding") ? .transferEncoding : .other
        case 10: return matches("connection") ? .connection : .other
        default: return .other
        }
    }

    /// True when `string` is `lower` (letters only, in lower case) but for the case of its ASCII letters.
    static func equalsLowercased(_ string: String, _ lower: StaticString) -> Bool {
        let u = string.utf8
        guard u.count == lower.utf8CodeUnitCount else { return false }
        let l = lower.utf8Start
        return u.withContiguousStorageIfAvailable { c in
            for i in 0..<c.count where c[i] | 0x20 != l[i] { return false }
            return true
        } ?? HTTPHeaders.equalsIgnoringCase(string, lower.description)
    }

    /// The framing of a final (non-1xx) head, from the facts noted while its fields were parsed.
    mutating func finalHead(_ head: Head) throws(HTTPResponseParseError) -> Event {
        let framing: Framing
        if HTTPStatus.responseHasNoBody(code: code, requestMethodIsHEAD: isHeadRequest) {
            framing = .none
        } else if !sawTransferEncoding && contentLengthFields == 1, let n = plainContentLength {
            framing = .length(n)
        } else if !sawTransferEncoding && contentLengthFields == 0 {
            framing = .untilClose
        } else {
            framing = try Self.framing(of: head, isHeadRequest: isHeadRequest)
        }
        switch framing {
        case .none: state = .fixed(0); contentLength = 0
        case .length(let n): state = .fixed(n); contentLength = n
        case .chunked: state = .chunked; chunked = ChunkedDecoder(policy: chunked.policy)
        case .untilClose: state = .untilClose
        }
        return .head(head, framing)
    }

    /// The framing of a response to a request (RFC 9112 §6.3), or the defect that makes it ambiguous.
    public static func framing(of head: Head, isHeadRequest: Bool) throws(HTTPResponseParseError) -> Framing {
        if HTTPStatus.responseHasNoBody(code: head.code, requestMethodIsHEAD: isHeadRequest) { return .none }
        let te = head.headers.values("Transfer-Encoding")
        let cl = head.headers.values("Content-Length")
        if !te.isEmpty {
            var codings: [Substring] = []
            for v in te {
                for part in v.split(separator: ",") {
                    let c = part.trimmingSpaces
                    if c.isEmpty || HTTPHeaders.equalsIgnoringCase(c, "identity") { continue }
                    codings.append(c)
                }
            }
            if !codings.isEmpty {
                if !cl.isEmpty { throw .contentLengthWithTransferEncoding }
                guard codings.count == 1, HTTPHeaders.equalsIgnoringCase(codings[0], "chunked") else {
                    throw .unsupportedTransferEncoding(te.joined(separator: ", "))
                }
                return .chunked
            }
        }
        if !cl.isEmpty {
            var value: Int?
            var all: [String] = []
            for v in cl {
                for part in v.split(separator: ",", omittingEmptySubsequences: false) {
                    let t = part.trimmingSpaces
                    all.append(String(t))
                    guard !t.isEmpty, t.utf8.count <= 18, t.utf8.allSatisfy(isDigit), let n = Int(t) else {
                        throw .badContentLength(String(t.prefix(40)))
                    }
                    if let value, value != n { throw .conflictingContentLength(all) }
                    value = n
                }
            }
            return .length(value!)
        }
        return .untilClose
    }

    /// Records what the framing and the connection's reuse depend on, as each field is parsed.
    mutating func noteField(_ kind: FieldKind, _ value: String) {
        switch kind {
        case .contentLength:
            contentLengthFields += 1
            var v = 0, digits = 0
            for b in value.utf8 {
                guard Self.isDigit(b), digits < 18 else { digits = -1; break }
                v = v * 10 + Int(b - 48)
                digits += 1
            }
            plainContentLength = digits > 0 ? v : nil
        case .transferEncoding:
            sawTransferEncoding = true
        case .connection:
            // The usual single token first (the value is already trimmed), without the token buffer below.
            if Self.equalsLowercased(value, "keep-alive") { connectionKeepAlive = true; return }
            if Self.equalsLowercased(value, "close") { connectionClose = true; return }
            // Comma-separated tokens, compared without case after trimming spaces and tabs.
            var token: [UInt8] = []
            func flush() {
                while let l = token.last, l == 0x20 || l == 0x09 { token.removeLast() }
                if token.elementsEqual("close".utf8) { connectionClose = true }
                if token.elementsEqual("keep-alive".utf8) { connectionKeepAlive = true }
                token.removeAll(keepingCapacity: true)
            }
            for b in value.utf8 {
                if b == UInt8(ascii: ",") {
                    flush()
                } else if !token.isEmpty || (b != 0x20 && b != 0x09) {
                    token.append(b >= 65 && b <= 90 ? b | 0x20 : b)
                }
            }
            flush()
        case .other: break
        }
    }

    /// A folded continuation line changed the last field's value: its facts are taken again from the whole head.
    mutating func noteFolded() {
        contentLengthFields = 0
        plainContentLength = nil
        sawTransferEncoding = false
        connectionClose = false
        connectionKeepAlive = false
        for f in fields {
            let kind = f.0.utf8.withContiguousStorageIfAvailable { Self.fieldKind(UnsafeRawBufferPointer($0)) } ?? .other
            if kind != .other { noteField(kind, f.1) }
        }
    }
}
