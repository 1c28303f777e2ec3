import TwisterProtocols
import TwisterHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves a file or a directory tree from disk (Twisted's `static.File`).
///
/// Contract:
/// - Child lookup: a segment that is empty-named file, `.`, `..`, contains `/` or NUL, or was not valid UTF-8,
///   a lookup below a non-directory, and anything whose real path (symlinks resolved) leaves the root, get 404.
///   The empty segment (trailing slash) serves the first existing ``indexNames`` entry, else a directory listing
///   when ``allowDirectoryListing``, else 403. A missing name is retried with each of ``ignoredExts``.
/// - GET/HEAD: 404 for a missing file, 403 when it cannot be opened, 302 to the slash form for a directory
///   without its trailing slash. Sets `Accept-Ranges: bytes`, Content-Type from the extension (`.gz`/`.bz2` as
///   Content-Encoding), Last-Modified and a strong ETag (`"mtime-size"` in hex); answers If-None-Match and
///   If-Modified-Since with 304 (If-None-Match wins) and honours If-Range.
/// - Range: `bytes=` only; a malformed header is ignored (200, whole file); one satisfiable range gets 206 with
///   Content-Range; several get 206 `multipart/byteranges` with an exact Content-Length; none satisfiable, 416
///   with `Content-Range: bytes */size`.
/// - Body: up to 64 KiB is read and sent with the head in one write; larger bodies stream through a pull producer
///   (64 KiB per resume) or sendfile when the transport is a ``FileSendingTransport``.
open class StaticFile: Resource {
    /// The file or directory this resource serves.
    public let path: String
    /// The real path of the tree's root: nothing outside it is served.
    public let rootRealPath: String
    public var defaultType = "application/octet-stream"
    public var indexNames = ["index.html", "index.htm", "index"]
    public var ignoredExts: [String] = []
    public var allowDirectoryListing = true
    /// Bodies at least this large use sendfile when the transport offers it.
    public var sendfileThreshold = 64 * 1024

    /// Serves `path` (a file or a directory) as the root of a tree.
    public init(_ path: String) {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.path = p
        self.rootRealPath = StaticFile.realPath(p) ?? p
        super.init()
    }

    init(child path: String, of parent: StaticFile) {
        self.path = path
        self.rootRealPath = parent.rootRealPath
        super.init()
        defaultType = parent.defaultType
        indexNames = parent.indexNames
        ignoredExts = parent.ignoredExts
        allowDirectoryListing = parent.allowDirectoryListing
        sendfileThreshold = parent.sendfileThreshold
    }

    /// Makes the resource for a child path; subclasses override to keep their type.
    open func createSimilarFile(_ path: String) -> StaticFile { StaticFile(child: path, of: self) }

    // MARK: traversal

    open override func getChild(_ name: String, _ request: Request) -> Resource {
        guard StaticFile.isDirectory(path) else { return NoResource() }
        if name.isEmpty {
            for index in indexNames {
                let p = path + "/" + index
                if StaticFile.isRegularFile(p), isInsideRoot(p) { return createSimilarFile(p) }
            }
            if allowDirectoryListing { return DirectoryListing(path: path, file: self) }
            return ForbiddenResource()
        }
        guard StaticFile.isSafeSegment(name) else { return NoResource() }
        var candidate = path + "/" + name
        if !StaticFile.exists(candidate) {
            guard let alt = ignoredExts.lazy.map({ candidate + $0 }).first(where: StaticFile.exists) else { return NoResource() }
            candidate = alt
        }
        guard isInsideRoot(candidate) else { return NoResource() }
        return createSimilarFile(candidate)
    }

    /// A segment that names an entry of this directory and nothing else.
    static func isSafeSegment(_ s: String) -> Bool {
        if s == "." || s == ".." { return false }
        for c in s.unicodeScalars where c == "/" || c == "\0" || c == "\u{FFFD}" { return false }
        return true
    }

    func isInsideRoot(_ p: String) -> Bool {
        guard let real = StaticFile.realPath(p) else { return false }
        return real == rootRealPath || real.hasPrefix(rootRealPath == "/" ? "/" : rootRealPath + "/")
    }

    // MARK: rendering

    open override func renderGET(_ request: Request) throws -> RenderResult {
        var st = stat()
        guard stat(path, &st) == 0, isInsideRoot(path) else { return try NoResource().render(request) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            if !request.path.hasSuffix("/") {
                var target = request.path + "/"
                let q = request.query
                if !q.isEmpty { target += "?" + q }
                return .body(redirectTo(target, request))
            }
            return try getChild("", request).render(request)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return try ForbiddenResource().render(request) }
        let size = Int(st.st_size)
        let mtime = Int(st.st_mtim.tv_sec)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return try (errno == ENOENT ? NoResource() : ForbiddenResource()).render(request) }
        var keepFD = false
        defer { if !keepFD { close(fd) } }

        request.setHeader("Accept-Ranges", "bytes")
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let (type, encoding) = MIMETypes.typeAndEncoding(name, default: defaultType)
        let etag = "\"\(String(mtime, radix: 16))-\(String(size, radix: 16))\""
        if request.setETag(etag) == .cached { return "" }
        if request.setLastModified(mtime) == .cached { return "" }

        var segments: [FileBodySegment] = [.file(offset: 0, count: size)]
        if let rangeHeader = request.getHeader("Range"), rangeApplies(request, etag: etag, mtime: mtime),
           let ranges = ByteRanges.parse(rangeHeader, size: size) {
            if ranges.isEmpty {
                request.setResponseCode(416)
                request.setHeader("Content-Range", "bytes */\(size)")
                request.setHeader("Content-Type", "text/plain; charset=utf-8")
                return ""
            }
            request.setResponseCode(206)
            if ranges.count == 1 {
                let r = ranges[0]
                request.setHeader("Content-Range", "bytes \(r.lowerBound)-\(r.upperBound)/\(size)")
                segments = [.file(offset: r.lowerBound, count: r.count)]
            } else {
                let boundary = StaticFile.boundary()
                request.setHeader("Content-Type", "multipart/byteranges; boundary=\(boundary)")
                segments = []
                for (i, r) in ranges.enumerated() {
                    var head = "\(i == 0 ? "" : "\r\n")--\(boundary)\r\nContent-Type: \(type)\r\n"
                    head += "Content-Range: bytes \(r.lowerBound)-\(r.upperBound)/\(size)\r\n\r\n"
                    segments.append(.bytes(ByteBuffer(string: head)))
                    segments.append(.file(offset: r.lowerBound, count: r.count))
                }
                segments.append(.bytes(ByteBuffer(string: "\r\n--\(boundary)--\r\n")))
            }
        }
        if request.responseHeaders["Content-Type"] == nil { request.setHeader("Content-Type", type) }
        if let encoding { request.setHeader("Content-Encoding", encoding) }
        let total = segments.reduce(0) { $0 + $1.count }
        request.setHeader("Content-Length", String(total))
        if request.method == "HEAD" {
            request.write(ByteBuffer())
            request.finish()
            return .notDoneYet
        }
        if total <= FileBodyProducer.pieceSize {
            var body = ByteBuffer(capacity: total)
            for s in segments {
                switch s {
                case .bytes(let b): body.writeImmutableBuffer(b)
                case .file(let off, let n):
                    let got = body.writeWithUnsafeMutableBytes(maxLength: n) { p in max(0, pread(fd, p.baseAddress!, n, off_t(off))) }
                    if got != n { throw ResourceError(500, "file changed while reading") }
                }
            }
            request.responseHeaders.remove("Content-Length")
            return .body(body)
        }
        keepFD = true
        request.write(ByteBuffer())  // the head, with its Content-Length
        FileBodyProducer(request: request, fd: fd, segments: segments, sendfileThreshold: sendfileThreshold).start()
        return .notDoneYet
    }

    /// If-Range: the Range applies only when the validator matches the current ETag or date.
    private func rangeApplies(_ request: Request, etag: String, mtime: Int) -> Bool {
        guard let ifRange = request.getHeader("If-Range") else { return true }
        if ifRange.hasPrefix("\"") { return ifRange == etag }
        if let d = HTTPDate.parse(ifRange) { return d == mtime }
        return false
    }

    private static func boundary() -> String {
        var g = SystemRandomNumberGenerator()
        return String(UInt64.random(in: 0...UInt64.max, using: &g), radix: 16)
    }

    // MARK: file system helpers

    static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    static func exists(_ p: String) -> Bool { var st = stat(); return lstat(p, &st) == 0 }
    static func isDirectory(_ p: String) -> Bool { var st = stat(); return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR }
    static func isRegularFile(_ p: String) -> Bool { var st = stat(); return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG }
}

/// An escaped HTML table of a directory's entries (Twisted's `DirectoryLister`): name, size, type, encoding;
/// directories suffixed by `/`; sorted by name; entries whose real path leaves the root are omitted.
open class DirectoryListing: Resource {
    public let path: String
    let file: StaticFile

    init(path: String, file: StaticFile) {
        self.path = path
        self.file = file
        super.init()
    }

    open override var isLeaf: Bool { true }

    open override func renderGET(_ request: Request) throws -> RenderResult {
        guard let dir = opendir(path) else { return try ForbiddenResource().render(request) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        closedir(dir)
        names.sort()
        let title = "Directory listing for \(URLCoding.unquote(request.path))"
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(HTML.escape(title))</title></head><body>\n"
        html += "<h1>\(HTML.escape(title))</h1>\n<table>\n<tr><th>Filename</th><th>Size</th><th>Content type</th><th>Content encoding</th></tr>\n"
        for name in names {
            let full = path + "/" + name
            guard file.isInsideRoot(full) else { continue }
            var st = stat()
            guard stat(full, &st) == 0 else { continue }
            let isDir = (st.st_mode & S_IFMT) == S_IFDIR
            let shown = isDir ? name + "/" : name
            let (type, enc) = isDir ? ("[Directory]", nil) : MIMETypes.typeAndEncoding(name, default: file.defaultType)
            let size = isDir ? "" : DirectoryListing.humanSize(Int(st.st_size))
            html += "<tr><td><a href=\"\(HTML.escape(URLCoding.quote(name) + (isDir ? "/" : "")))\">\(HTML.escape(shown))</a></td>"
            html += "<td>\(size)</td><td>\(HTML.escape(type))</td><td>\(HTML.escape(enc ?? ""))</td></tr>\n"
        }
        html += "</table>\n</body></html>\n"
        request.setHeader("Content-Type", "text/html; charset=utf-8")
        return .text(html)
    }

    static func humanSize(_ n: Int) -> String {
        if n < 1024 { return "\(n)B" }
        if n < 1024 * 1024 { return "\(n / 1024)K" }
        if n < 1024 * 1024 * 1024 { return "\(n / (1024 * 1024))M" }
        return "\(n / (1024 * 1024 * 1024))G"
    }
}
