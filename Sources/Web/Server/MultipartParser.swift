import TwisterProtocols
import TwisterHTTP

/// A parser of `multipart/form-data` bodies (RFC 7578) and of `Content-Type` parameters.
public enum MultipartParser {
    public enum Error: Swift.Error { case malformed }

    public struct Part {
        public var headers = HTTPHeaders()
        public var body = ByteBuffer()
        public var name: String?
        public var filename: String?
        public var contentType: String? { headers["Content-Type"] }
    }

    /// `text/html; charset="utf-8"` → (`text/html`, [`charset`: `utf-8`]); the type is lowercased.
    public static func parseContentType(_ value: String) -> (String, [String: String]) {
        let pieces = value.split(separator: ";")
        let mime = pieces.first.map { String($0.trimmingSpaces).lowercased() } ?? ""
        var params: [String: String] = [:]
        for p in pieces.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            let k = String(p[..<eq].trimmingSpaces).lowercased()
            var v = String(p[p.index(after: eq)...].trimmingSpaces)
            if v.count >= 2 && v.hasPrefix("\"") && v.hasSuffix("\"") { v = String(v.dropFirst().dropLast()) }
            params[k] = v
        }
        return (mime, params)
    }

    /// Splits `body` at `--boundary` delimiters into parts with their headers. Throws when the delimiters,
    /// part headers or the closing delimiter are missing or malformed.
    public static func parse(_ body: ByteBuffer, boundary: String) throws -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        let bytes = Array(body.readableBytesView)
        guard var pos = find(bytes, delimiter, from: 0) else { throw Error.malformed }
        var parts: [Part] = []
        while true {
            pos += delimiter.count
            // `--` after the delimiter closes the body.
            if pos + 1 < bytes.count && bytes[pos] == 0x2D && bytes[pos + 1] == 0x2D { return parts }
            // Skip transport padding to the CRLF.
            while pos < bytes.count && (bytes[pos] == 0x20 || bytes[pos] == 0x09) { pos += 1 }
            guard pos + 1 < bytes.count, bytes[pos] == 0x0D, bytes[pos + 1] == 0x0A else { throw Error.malformed }
            pos += 2
            guard let headEnd = find(bytes, [0x0D, 0x0A, 0x0D, 0x0A], from: pos - 2) else { throw Error.malformed }
            var part = Part()
            if headEnd > pos - 2 {
                let headText = String(decoding: bytes[pos..<headEnd], as: UTF8.self)
                for line in headText.split(separator: "\r\n") {
                    guard let c = line.firstIndex(of: ":") else { throw Error.malformed }
                    part.headers.add(String(line[..<c]), String(line[line.index(after: c)...].trimmingSpaces))
                }
            }
            let bodyStart = headEnd + 4
            guard let next = find(bytes, [0x0D, 0x0A] + delimiter, from: bodyStart - 2) else { throw Error.malformed }
            part.body = next >= bodyStart ? ByteBuffer(bytes: bytes[bodyStart..<next]) : ByteBuffer()
            if let cd = part.headers["Content-Disposition"] {
                let (kind, params) = parseContentType(cd)
                guard kind == "form-data" else { throw Error.malformed }
                part.name = params["name"]
                part.filename = params["filename"]
            }
            parts.append(part)
            pos = next + 2
        }
    }

    private static func find(_ hay: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        var i = max(0, from)
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == needle[0] {
                var k = 1
                while k < needle.count && hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
