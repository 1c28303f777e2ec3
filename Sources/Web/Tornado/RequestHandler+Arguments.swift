import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation

/// Arguments from the query string and the body (Tornado's `get_argument` family). Names and values are
/// percent-decoded strictly: invalid UTF-8 answers 400. Values lose control characters (replaced by spaces) and,
/// with `strip`, surrounding whitespace.
extension RequestHandler {
    /// The query-string arguments. Throws 400 for invalid UTF-8.
    public func queryArguments() throws -> [String: [String]] {
        if let a = cachedQueryArguments { return a }
        guard let a = TornadoURLCoding.parseQuery(Substring(request.query)) else {
            throw HTTPError(400, "Invalid unicode in query string")
        }
        cachedQueryArguments = a
        return a
    }

    /// The fields of an urlencoded or multipart body (uploaded files are in ``files``). Throws 400 for a
    /// malformed body or invalid UTF-8.
    public func bodyArguments() throws -> [String: [String]] {
        if let a = cachedBodyArguments { return a }
        var a: [String: [String]] = [:]
        if request.content.count > 0, let ctype = request.getHeader("Content-Type") {
            let (mime, params) = MultipartParser.parseContentType(ctype)
            if mime == "application/x-www-form-urlencoded" {
                let bytes = request.content.bytes()
                guard let text = String(validating: bytes.readableBytesView, as: UTF8.self),
                      let parsed = TornadoURLCoding.parseQuery(Substring(text)) else {
                    throw HTTPError(400, "Invalid unicode in body")
                }
                a = parsed
            } else if mime == "multipart/form-data" {
                guard let boundary = params["boundary"], !boundary.isEmpty,
                      let parts = try? MultipartParser.parse(request.content.bytes(), boundary: boundary) else {
                    throw HTTPError(400, "Invalid multipart/form-data")
                }
                for part in parts where part.filename == nil {
                    guard let name = part.name else { continue }
                    guard let value = String(validating: part.body.readableBytesView, as: UTF8.self) else {
                        throw HTTPError(400, "Invalid unicode in multipart field \(name)")
                    }
                    a[name, default: []].append(value)
                }
            }
        }
        cachedBodyArguments = a
        return a
    }

    /// Uploaded files of a multipart body, by field name (Tornado's `request.files`).
    public var files: [String: [UploadedFile]] { request.files }

    /// The last value of `name` from the query and the body (a body value wins), or a 400
    /// ``MissingArgumentError`` when absent.
    public func getArgument(_ name: String, strip: Bool = true) throws -> String {
        guard let v = try getArguments(name, strip: strip).last else { throw MissingArgumentError(name) }
        return v
    }

    /// The last value of `name`, or `defaultValue` when absent.
    public func getArgument(_ name: String, default defaultValue: String?, strip: Bool = true) throws -> String? {
        try getArguments(name, strip: strip).last ?? defaultValue
    }

    /// Every value of `name`: the query's, then the body's.
    public func getArguments(_ name: String, strip: Bool = true) throws -> [String] {
        let q = try queryArguments()[name] ?? []
        let b = try bodyArguments()[name] ?? []
        return (q + b).map { Self.clean($0, strip: strip) }
    }

    public func getQueryArgument(_ name: String, strip: Bool = true) throws -> String {
        guard let v = try getQueryArguments(name, strip: strip).last else { throw MissingArgumentError(name) }
        return v
    }

    public func getQueryArgument(_ name: String, default defaultValue: String?, strip: Bool = true) throws -> String? {
        try getQueryArguments(name, strip: strip).last ?? defaultValue
    }

    public func getQueryArguments(_ name: String, strip: Bool = true) throws -> [String] {
        (try queryArguments()[name] ?? []).map { Self.clean($0, strip: strip) }
    }

    public func getBodyArgument(_ name: String, strip: Bool = true) throws -> String {
        guard let v = try getBodyArguments(name, strip: strip).last else { throw MissingArgumentError(name) }
        return v
    }

    public func getBodyArgument(_ name: String, default defaultValue: String?, strip: Bool = true) throws -> String? {
        try getBodyArguments(name, strip: strip).last ?? defaultValue
    }

    public func getBodyArguments(_ name: String, strip: Bool = true) throws -> [String] {
        (try bodyArguments()[name] ?? []).map { Self.clean($0, strip: strip) }
    }

    /// The request body decoded as JSON into `type`; 400 when it is not valid JSON of that shape.
    public func jsonBody<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Foundation.Data(request.content.bytes().readableBytesView))
        } catch {
            throw HTTPError(400, "Invalid JSON body: \(error)", detail: "Invalid JSON body")
        }
    }

    /// Control characters other than TAB, LF, VT, FF, CR become spaces (Tornado's `_remove_control_chars_regex`);
    /// with `strip`, surrounding whitespace goes.
    static func clean(_ s: String, strip: Bool) -> String {
        var out = s
        if s.utf8.contains(where: { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20) }) {
            out = String(String.UnicodeScalarView(s.unicodeScalars.map {
                ($0.value < 0x09 || ($0.value > 0x0D && $0.value < 0x20)) ? " " : $0
            }))
        }
        return strip ? out.trimmingCharacters(in: .whitespacesAndNewlines) : out
    }
}
