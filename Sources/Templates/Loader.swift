import Foundation

/// Loads templates by name from a directory (Tornado's `Loader`) or a dictionary (Tornado's `DictLoader`),
/// compiling each once and caching it.
///
/// Relative paths in `{% include %}` and `{% extends %}` resolve against the including file's directory.
/// With `reload` on (the web layer sets it in debug mode), `load` re-checks the modification time and size of
/// the file and of every file it extends or includes, and recompiles if any changed. `reset()` empties the cache.
///
/// Thread safety: all state is guarded by one recursive lock (compiling a template loads its dependencies
/// through the same loader), so a loader may be shared between threads.
public final class Loader: @unchecked Sendable {  // safe: `cache` and `reloadEnabled` are only touched under `lock`
    /// Where template text comes from.
    public enum Source: Sendable {
        case directory(String)
        case dictionary([String: String])
    }

    public let source: Source
    /// The default escaping for `{{ }}` in templates from this loader.
    public let autoescape: Autoescape
    /// The whitespace mode for every template; nil picks by file name.
    public let whitespace: WhitespaceMode?
    /// Values every template from this loader sees (the caller's values override them).
    public let namespace: [String: TemplateValue]

    private struct Stamp: Equatable {
        var modified: Date?
        var size: Int?
    }

    private struct Entry {
        var template: Template
        var stamps: [String: Stamp]
    }

    private let lock = NSRecursiveLock()
    private var cache: [String: Entry] = [:]
    private var reloadEnabled: Bool
    /// Templates being compiled on the current call stack (a template that includes or extends itself
    /// would otherwise recurse forever).
    private var loading: Set<String> = []

    /// A loader reading files under `root`.
    public init(root: String, autoescape: Autoescape = .xhtmlEscape, whitespace: WhitespaceMode? = nil,
                namespace: [String: TemplateValue] = [:], reload: Bool = false) {
        var r = URL(fileURLWithPath: root).standardizedFileURL.path
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.source = .directory(r)
        self.autoescape = autoescape
        self.whitespace = whitespace
        self.namespace = namespace
        self.reloadEnabled = reload
    }

    /// A loader serving templates from memory, keyed by name.
    public init(templates: [String: String], autoescape: Autoescape = .xhtmlEscape, whitespace: WhitespaceMode? = nil,
                namespace: [String: TemplateValue] = [:]) {
        self.source = .dictionary(templates)
        self.autoescape = autoescape
        self.whitespace = whitespace
        self.namespace = namespace
        self.reloadEnabled = false
    }

    /// The directory templates are read from, or nil for a dictionary loader.
    public var root: String? {
        if case .directory(let r) = source { return r }
        return nil
    }

    /// Whether `load` re-checks files for changes.
    public var reload: Bool {
        get { lock.withLock { reloadEnabled } }
        set { lock.withLock { reloadEnabled = newValue } }
    }

    /// Drops every compiled template.
    public func reset() {
        lock.withLock { cache = [:] }
    }

    /// Resolves `name` against the directory of `parent` (for includes and extends), as Tornado does.
    /// Absolute names and names relative to no parent are returned as they are.
    public func resolvePath(_ name: String, relativeTo parent: String?) -> String {
        guard let parent, !parent.hasPrefix("<"), !parent.hasPrefix("/"), !name.hasPrefix("/") else { return name }
        switch source {
        case .dictionary:
            let dir = Self.dirname(parent)
            return Self.normalize(dir.isEmpty ? name : dir + "/" + name)
        case .directory(let root):
            let dir = Self.dirname(Self.normalize(root + "/" + parent))
            let full = Self.normalize(dir + "/" + name)
            if full.hasPrefix(root + "/") { return String(full.dropFirst(root.count + 1)) }
            return name
        }
    }

    /// The compiled template `name` (resolved against `parent`), from the cache when possible.
    public func load(_ name: String, relativeTo parent: String? = nil) throws -> Template {
        let resolved = resolvePath(name, relativeTo: parent)
        return try lock.withLock {
            if let entry = cache[resolved] {
                if !reloadEnabled || entry.stamps.allSatisfy({ stamp(for: $0.key) == $0.value }) {
                    return entry.template
                }
                cache[resolved] = nil
            }
            if loading.contains(resolved) {
                throw TemplateError(kind: .parseError, message: "\(resolved) includes or extends itself")
            }
            loading.insert(resolved)
            defer { loading.remove(resolved) }
            // Stamp before reading, so a change during compilation is seen next time.
            let ownStamp = stamp(for: resolved)
            let template = try Template(source: try text(of: resolved), name: resolved, loader: self,
                                        autoescape: autoescape, whitespace: whitespace ?? .default(forName: resolved),
                                        namespace: namespace)
            var stamps = [resolved: ownStamp]
            for dep in template.dependencies where dep != resolved { stamps[dep] = stamp(for: dep) }
            cache[resolved] = Entry(template: template, stamps: stamps)
            return template
        }
    }

    private func path(of name: String) -> String? {
        guard case .directory(let root) = source else { return nil }
        return name.hasPrefix("/") ? name : root + "/" + name
    }

    private func stamp(for name: String) -> Stamp {
        guard let path = path(of: name),
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        else { return Stamp(modified: nil, size: nil) }
        return Stamp(modified: attributes[.modificationDate] as? Date, size: (attributes[.size] as? NSNumber)?.intValue)
    }

    private func text(of name: String) throws -> String {
        switch source {
        case .dictionary(let templates):
            guard let t = templates[name] else {
                throw TemplateError(kind: .loadError, message: "template not found: \(name)")
            }
            return t
        case .directory:
            let p = path(of: name)!
            guard let data = FileManager.default.contents(atPath: p) else {
                throw TemplateError(kind: .loadError, message: "template not found: \(name) (no file \(p))")
            }
            return String(decoding: data, as: UTF8.self)
        }
    }

    private static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        let d = String(path[..<slash])
        return d.isEmpty && path.hasPrefix("/") ? "/" : d
    }

    /// POSIX `normpath`: drops `.` and empty components and folds `..`.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
