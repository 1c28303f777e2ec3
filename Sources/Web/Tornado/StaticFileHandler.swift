import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation

/// Serves static files (Tornado's `StaticFileHandler`), from a directory (`path` argument or the
/// `staticPath` setting) or from memory (`content` argument or the `staticContent` setting).
///
/// Contract, as Tornado's: GET and HEAD only. The path group is resolved under the root; a path leaving the root
/// gets 403, a missing file 404. A directory redirects (301) to add its slash and then serves
/// `default_filename` (403 without one; a path starting `//` gets 403, never an open redirect). Headers:
/// `Accept-Ranges: bytes`, `Etag: "<SHA-512 hex of the content>"`, `Last-Modified`, Content-Type from the
/// extension (`.gz` → `application/gzip`, other encodings `application/octet-stream`), and 10-year caching
/// (`Expires`, `Cache-Control: max-age=315360000`) when the URL has `?v=`. `If-None-Match` (when present) or
/// `If-Modified-Since` answer 304. One byte range gives 206, an unsatisfiable one 416 with `bytes */size`, a
/// whole-file or malformed range 200. Large bodies stream in 64 KiB chunks with ``RequestHandler/flush()``
/// backpressure.
open class StaticFileHandler: RequestHandler {
    /// The directory served, when serving from disk.
    public var root: String?
    /// The files served, when serving from memory (path → bytes).
    public var content: [String: [UInt8]]?
    /// The file served for a directory (e.g. `index.html`).
    public var defaultFilename: String?
    /// Seconds of caching for versioned (`?v=`) URLs: 10 years.
    public static let cacheMaxAge = 86400 * 365 * 10
    /// Chunk size for streaming.
    public static let chunkSize = 64 * 1024
    /// The modification time reported for in-memory content: the process start.
    nonisolated static let contentModified = Int(Date().timeIntervalSince1970)


    open override var supportedMethods: Set<String> { ["GET", "HEAD"] }

    /// Arguments: `path` (a directory), `content` (`[String: [UInt8]]`), `default_filename`.
    open override func initialize(_ arguments: [String: Any]) {
        root = arguments["path"] as? String ?? (arguments["content"] == nil ? application.settings.staticPath : nil)
        content = arguments["content"] as? [String: [UInt8]] ?? (root == nil ? application.settings.staticContent : nil)
        defaultFilename = arguments["default_filename"] as? String
    }

    open override func get() throws -> HandlerResult { try serve(includeBody: true) }
    open override func head() throws -> HandlerResult { try serve(includeBody: false) }

    /// The requested path: the first positional group, or the `path` named group.
    var requestedPath: String {
        if let p = pathArgs.first, let p { return p }
        if let p = pathKwargs["path"], let p { return p }
        return ""
    }

    private func serve(includeBody: Bool) throws -> HandlerResult {
        let path = requestedPath
        var bytes: [UInt8]? = nil
        var file: String? = nil
        var size = 0
        var modified = Self.contentModified
        if let content {
            guard let norm = Self.normalizeRelative(path) else { throw HTTPError(403, "\(path) is not in root static directory") }
            guard let b = content[norm] else { throw HTTPError(404) }
            bytes = b
            size = b.count
        } else {
            guard let root else { throw HTTPError(404) }
            let absRoot = Self.normalize(root)
            var abs = Self.normalize(absRoot + "/" + path)
            guard abs == absRoot || abs.hasPrefix(absRoot == "/" ? "/" : absRoot + "/") else {
                throw HTTPError(403, "\(path) is not in root static directory")
            }
            var st = stat()
            guard stat(abs, &st) == 0 else { throw HTTPError(404) }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                guard let index = defaultFilename else { throw HTTPError(403, "\(path) is not a file") }
                if !request.path.hasSuffix("/") {
                    if request.path.hasPrefix("//") { throw HTTPError(403, "cannot redirect path with two initial slashes") }
                    try redirect(request.path + "/", permanent: true)
                    return .done
                }
                abs += "/" + index
                guard stat(abs, &st) == 0 else { throw HTTPError(404) }
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else { throw HTTPError(403, "\(path) is not a file") }
            file = abs
            size = Int(st.st_size)
            modified = Int(st.st_mtim.tv_sec)
        }

        // Headers.
        headers.set("Accept-Ranges", "bytes")
        if let v = contentVersion(path: path, file: file, bytes: bytes) { headers.set("Etag", "\"\(v)\"") }
        headers.set("Last-Modified", HTTPDate.format(modified))
        headers.set("Content-Type", Self.contentType(file ?? path))
        if (try? getQueryArgument("v", default: nil)) ?? nil != nil {
            headers.set("Expires", HTTPDate.format(Int(application.now()) + Self.cacheMaxAge))
            headers.set("Cache-Control", "max-age=\(Self.cacheMaxAge)")
        }
        if shouldReturn304(modified: modified) {
            setStatus(304)
            return .done
        }

        // Range.
        var start = 0, end = size
        if let rangeHeader = request.getHeader("Range"), let (s, e) = Self.parseRange(rangeHeader) {
            var s2 = s
            if let v = s2, v < 0 { s2 = max(0, v + size) }
            if (s2 != nil && (s2! >= size || (e != nil && s2! >= e!))) || e == 0 {
                setStatus(416)
                headers.set("Content-Type", "text/plain")
                headers.set("Content-Range", "bytes */\(size)")
                return .done
            }
            var e2 = e
            if let v = e2, v > size { e2 = size }
            start = s2 ?? 0
            end = e2 ?? size
            if size != end - start {
                setStatus(206)
                headers.set("Content-Range", "bytes \(start)-\(end - 1)/\(size)")
            }
        }
        let length = end - start
        if let bytes {
            write(Array(bytes[start..<end]))
            return .done
        }
        guard let file, let fh = FileHandle(forReadingAtPath: file) else { throw HTTPError(403) }
        if length <= Self.chunkSize || !includeBody {
            if !includeBody && length > Self.chunkSize {
                // HEAD: the Content-Length the GET would have; no body is sent.
                headers.set("Content-Length", String(length))
                try? fh.close()
                flush()
                return .done
            }
            try fh.seek(toOffset: UInt64(start))
            let data = try fh.read(upToCount: length) ?? Foundation.Data()
            try? fh.close()
            write(Array(data))
            return .done
        }
        headers.set("Content-Length", String(length))
        try fh.seek(toOffset: UInt64(start))
        let done = Deferred<Void>()
        streamChunks(fh, remaining: length, done: done)
        return .deferred(done)
    }

    /// Writes the file in chunks, waiting on ``flush()`` when the client is slow (a loop while flushes complete
    /// at once, so the stack does not grow).
    private func streamChunks(_ fh: FileHandle, remaining: Int, done: Deferred<Void>) {
        var left = remaining
        while left > 0 {
            if request.disconnected { try? fh.close(); done.callback(()); return }
            let n = min(Self.chunkSize, left)
            guard let data = try? fh.read(upToCount: n), !data.isEmpty else { break }
            left -= data.count
            write(Array(data))
            let f = flush()
            if !f.called {
                let rest = left
                f.addCallback { (_: Void) -> Void in self.streamChunks(fh, remaining: rest, done: done) }
                return
            }
        }
        try? fh.close()
        done.callback(())
    }

    /// `If-None-Match` (when present) decides; else `If-Modified-Since` at or after the modification time.
    func shouldReturn304(modified: Int) -> Bool {
        if request.getHeader("If-None-Match") != nil { return checkEtagHeader() }
        if let ims = request.getHeader("If-Modified-Since"), let since = HTTPDate.parse(ims), since >= modified {
            return true
        }
        return false
    }

    /// The version (SHA-512 hex) of the content, cached per path for the application's static root.
    func contentVersion(path: String, file: String?, bytes: [UInt8]?) -> String? {
        if bytes != nil, application.settings.staticContent != nil, let norm = Self.normalizeRelative(path),
           let v = application.staticVersions.version(norm) {
            return v
        }
        if let bytes { return HashDigest.hex(HashDigest.hash(.sha512, bytes)) }
        if root == application.settings.staticPath, let norm = Self.normalizeRelative(path) {
            if let v = application.staticVersions.version(norm) { return v }
        }
        guard let file, let data = FileManager.default.contents(atPath: file) else { return nil }
        return HashDigest.hex(HashDigest.hash(.sha512, Array(data)))
    }

    /// Content type by extension, as Tornado reports it (no charset parameter).
    public static func contentType(_ name: String) -> String {
        let (type, encoding) = MIMETypes.typeAndEncoding(name, default: "application/octet-stream")
        if encoding == "gzip" { return "application/gzip" }
        if encoding != nil { return "application/octet-stream" }
        return String(type.split(separator: ";").first ?? "application/octet-stream")
    }

    /// Tornado's `_parse_request_range`: `bytes=a-b` → (a, b+1); `bytes=-n` → (-n, nil); `bytes=a-` → (a, nil);
    /// nil when malformed or not bytes (then the header is ignored).
    static func parseRange(_ header: String) -> (Int?, Int?)? {
        guard let eq = header.firstIndex(of: "=") else { return nil }
        guard header[..<eq].trimmingCharacters(in: .whitespaces) == "bytes" else { return nil }
        let value = header[header.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard let dash = value.firstIndex(of: "-") else {
            guard case .value(let v) = parseInt(Substring(value)) else { return nil }
            return (v, nil)
        }
        let sPart = parseInt(value[..<dash]), ePart = parseInt(value[value.index(after: dash)...])
        var start: Int?, end: Int?
        switch sPart { case .bad: return nil; case .empty: start = nil; case .value(let v): start = v }
        switch ePart { case .bad: return nil; case .empty: end = nil; case .value(let v): end = v }
        if let e2 = end {
            if start == nil {
                if e2 != 0 { start = -e2; end = nil }
            } else {
                end = e2 + 1
            }
        }
        return (start, end)
    }

    private enum ParsedInt { case bad, empty, value(Int) }

    private static func parseInt(_ s: Substring) -> ParsedInt {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return .empty }
        guard t.allSatisfy({ $0.isASCIIDigit }), let v = Int(t) else { return .bad }
        return .value(v)
    }

    /// Lexically normalised absolute path (`.` and `..` resolved, no symlinks).
    nonisolated static func normalize(_ p: String) -> String {
        let absolute = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
        var out: [Substring] = []
        for seg in absolute.split(separator: "/") {
            if seg == "." || seg.isEmpty { continue }
            if seg == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(seg)
        }
        return "/" + out.joined(separator: "/")
    }

    /// A relative path normalised, or nil when it climbs out (`../x`).
    nonisolated static func normalizeRelative(_ p: String) -> String? {
        var out: [Substring] = []
        for seg in p.split(separator: "/") {
            if seg == "." || seg.isEmpty { continue }
            if seg == ".." { if out.isEmpty { return nil }; out.removeLast(); continue }
            out.append(seg)
        }
        return out.joined(separator: "/")
    }

    /// The bytes of static file `path` (relative) under `root` or in `content`, or nil.
    nonisolated static func read(_ path: String, root: String?, content: [String: [UInt8]]?) -> [UInt8]? {
        if let content { return normalizeRelative(path).flatMap { content[$0] } }
        guard let root, let rel = normalizeRelative(path) else { return nil }
        return FileManager.default.contents(atPath: normalize(root) + "/" + rel).map { Array($0) }
    }
}
