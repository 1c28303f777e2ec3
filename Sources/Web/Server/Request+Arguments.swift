import TwisterProtocols
import TwisterHTTP

extension Request {
    /// Query-string arguments, plus the fields of an urlencoded or multipart body (Twisted's `args`).
    /// Names and values are percent-decoded; repeated names keep every value in order.
    public var args: [String: [String]] {
        get {
            if let a = storedArgs { return a }
            var a: [String: [String]] = [:]
            if let q = uri.firstIndex(of: "?") { URLCoding.parseQuery(uri[uri.index(after: q)...], into: &a) }
            storedArgs = a
            return a
        }
        set { storedArgs = newValue }
    }

    /// The first value of argument `name`, or nil.
    public func arg(_ name: String) -> String? { args[name]?.first }

    /// Adds the fields of an urlencoded or multipart body to ``args`` (called by the Site before traversal).
    /// Throws for a malformed multipart body.
    func parseBodyArguments() throws {
        guard let ctype = getHeader("Content-Type") else { return }
        let (mime, params) = MultipartParser.parseContentType(ctype)
        if mime == "application/x-www-form-urlencoded" {
            var a = args
            URLCoding.parseQuery(Substring(content.text), into: &a)
            storedArgs = a
        } else if mime == "multipart/form-data" {
            guard let boundary = params["boundary"], !boundary.isEmpty else { throw MultipartParser.Error.malformed }
            var a = args
            for part in try MultipartParser.parse(content.bytes(), boundary: boundary) {
                guard let name = part.name else { continue }
                if let filename = part.filename {
                    files[name, default: []].append(UploadedFile(name: name, filename: filename, contentType: part.contentType, body: part.body))
                    a[name, default: []].append(String(buffer: part.body))
                } else {
                    a[name, default: []].append(String(buffer: part.body))
                }
            }
            storedArgs = a
        }
    }
}
