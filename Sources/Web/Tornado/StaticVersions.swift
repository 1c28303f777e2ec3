import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation
import Synchronization

/// Content hashes of static files for `staticURL` (Tornado's `StaticFileHandler.get_version` and its
/// `_static_hashes` cache): the SHA-512 hex of the file, computed once per path unless caching is off (debug).
///
/// Thread-safe (a Mutex guards the cache), so templates' `static_url` function can capture it.
public final class StaticVersions: Sendable {
    let root: String?
    let content: [String: [UInt8]]?
    let prefix: String
    let cache: Bool
    private let hashes = Mutex<[String: String?]>([:])

    init(root: String?, content: [String: [UInt8]]?, prefix: String, cache: Bool) {
        self.root = root
        self.content = content
        self.prefix = prefix
        self.cache = cache
    }

    /// `prefix + path`, plus `?v=<hash>` when `includeVersion` and the file exists.
    public func url(_ path: String, includeVersion: Bool = true) -> String {
        let u = prefix + path
        guard includeVersion, let v = version(path) else { return u }
        return u + "?v=" + v
    }

    /// The SHA-512 hex of the file at `path` under the static root, or nil when it cannot be read.
    public func version(_ path: String) -> String? {
        if cache, let v = hashes.withLock({ $0[path] }) { return v }
        var v: String?
        if let bytes = StaticFileHandler.read(path, root: root, content: content) {
            v = HashDigest.hex(HashDigest.hash(.sha512, bytes))
        }
        if cache { hashes.withLock { $0[path] = .some(v) } }
        return v
    }
}
