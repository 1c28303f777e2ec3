import TwisterProtocols

/// Content types by file extension (Twisted's `loadMimeTypes`, a built-in table).
public enum MIMETypes {
    public static let byExtension: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "json": "application/json", "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
        "csv": "text/csv; charset=utf-8", "xml": "application/xml", "svg": "image/svg+xml",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "ico": "image/vnd.microsoft.icon", "avif": "image/avif", "bmp": "image/bmp",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "pdf": "application/pdf", "zip": "application/zip", "tar": "application/x-tar",
        "wasm": "application/wasm", "mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav",
        "mp4": "video/mp4", "webm": "video/webm", "swift": "text/plain; charset=utf-8",
        "py": "text/plain; charset=utf-8", "c": "text/plain; charset=utf-8", "h": "text/plain; charset=utf-8",
    ]
    /// Extensions sent as a content encoding of the inner type (`a.txt.gz` is text/plain, gzip).
    public static let encodings: [String: String] = ["gz": "gzip", "bz2": "bzip2", "br": "br", "zst": "zstd"]

    /// (type, encoding) for a file name.
    public static func typeAndEncoding(_ name: String, default defaultType: String) -> (String, String?) {
        var parts = name.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        var encoding: String? = nil
        if parts.count > 1, let e = encodings[String(parts.last!)] { encoding = e; parts.removeLast() }
        guard parts.count > 1, let t = byExtension[String(parts.last!)] else { return (defaultType, encoding) }
        return (t, encoding)
    }
}
