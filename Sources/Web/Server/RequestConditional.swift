import TwisterProtocols
import TwisterHTTP

/// The outcome of a conditional check: go on rendering, or the request was already answered with 304/412.
public enum CacheResult: Sendable, Equatable {
    /// Render normally.
    case proceed
    /// The status is set to 304 (or 412): finish the request without a body (Twisted's `http.CACHED`).
    case cached
}

extension Request {
    /// Records the resource's modification time (seconds since the epoch; the latest of several calls wins) and
    /// sets `Last-Modified`. Returns `.cached`, with the status set to 304, when `If-Modified-Since` is at or
    /// after it (an invalid date is ignored) (Twisted's `setLastModified`).
    @discardableResult
    public func setLastModified(_ when: Int) -> CacheResult {
        if let old = lastModified, old >= when { } else { lastModified = when }
        setHeader("Last-Modified", HTTPDate.format(lastModified!))
        if let ims = getHeader("If-Modified-Since"), getHeader("If-None-Match") == nil,
           let since = HTTPDate.parse(String(ims.split(separator: ";").first ?? "")), since >= lastModified! {
            setResponseCode(304)
            return .cached
        }
        return .proceed
    }

    /// Sets the entity tag (`tag` without quotes, or a full `"…"`/`W/"…"` tag) and returns `.cached` when
    /// `If-None-Match` lists it (weak comparison) or is `*`: 304 for GET/HEAD, 412 for other methods.
    @discardableResult
    public func setETag(_ tag: String) -> CacheResult {
        let quoted = tag.hasPrefix("\"") || tag.hasPrefix("W/\"") ? tag : "\"\(tag)\""
        etag = quoted
        setHeader("ETag", quoted)
        guard let inm = getHeader("If-None-Match") else { return .proceed }
        let strip: (Substring) -> Substring = { s in s.hasPrefix("W/") ? s.dropFirst(2) : s }
        let mine = strip(Substring(quoted))
        for candidate in inm.split(separator: ",") {
            let c = candidate.trimmingSpaces
            if c == "*" || strip(c) == mine {
                setResponseCode(method == "GET" || method == "HEAD" ? 304 : 412)
                return .cached
            }
        }
        return .proceed
    }
}
