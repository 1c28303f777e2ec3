import Foundation
import Testing
import TwisterTemplates

/// The file loader: caching, reset, reload on change, relative paths, UTF-8 files.
@Suite struct LoaderTests {
    /// A fresh temporary directory with `files` written into it.
    func directory(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twister-templates-\(UUID().uuidString)").path
        for (name, text) in files { try write(text, to: dir + "/" + name) }
        return dir
    }

    func write(_ text: String, to path: String, modified: Date? = nil) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if let modified { try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path) }
    }

    @Test func loadsUTF8FilesFromTheRoot() throws {
        let dir = try directory(["utf8.html": "H\u{e9}llo\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Loader(root: dir).load("utf8.html").render().trimmingCharacters(in: .whitespacesAndNewlines) == "H\u{e9}llo")
    }

    @Test func cachesCompiledTemplates() throws {
        let dir = try directory(["a.html": "v1"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let loader = Loader(root: dir)
        let first = try loader.load("a.html")
        try write("v2", to: dir + "/a.html", modified: Date().addingTimeInterval(10))
        #expect(try loader.load("a.html") === first)
        #expect(try loader.load("a.html").render() == "v1")
        loader.reset()
        #expect(try loader.load("a.html").render() == "v2")
    }

    @Test func reloadRecompilesChangedFilesAndTheirDependents() throws {
        let dir = try directory(["page.html": "{% extends 'base.html' %}{% block b %}page{% end %}",
                                 "base.html": "[{% block b %}{% end %}]{% include 'foot.html' %}", "foot.html": "f1"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let loader = Loader(root: dir, reload: true)
        let first = try loader.load("page.html")
        #expect(try first.render() == "[page]f1")
        #expect(try loader.load("page.html") === first)  // unchanged: still cached
        try write("f2", to: dir + "/foot.html", modified: Date().addingTimeInterval(10))
        #expect(try loader.load("page.html").render() == "[page]f2")
        try write("<{% block b %}{% end %}>", to: dir + "/base.html", modified: Date().addingTimeInterval(20))
        #expect(try loader.load("page.html").render() == "<page>")
    }

    @Test func reloadCanBeTurnedOnLater() throws {
        let dir = try directory(["a.html": "v1"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let loader = Loader(root: dir)
        #expect(loader.reload == false)
        _ = try loader.load("a.html")
        loader.reload = true
        try write("v2", to: dir + "/a.html", modified: Date().addingTimeInterval(10))
        #expect(try loader.load("a.html").render() == "v2")
    }

    @Test func relativePathsResolveFromTheIncludingFile() throws {
        let dir = try directory(["a/1.html": "{% include '2.html' %}", "a/2.html": "{% include '../b/3.html' %}", "b/3.html": "ok"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let loader = Loader(root: dir)
        #expect(try loader.load("a/1.html").render() == "ok")
        #expect(loader.resolvePath("../b/3.html", relativeTo: "a/2.html") == "b/3.html")
        #expect(loader.resolvePath("x.html", relativeTo: "<string>") == "x.html")
    }

    @Test func missingFileIsALoadError() throws {
        let e = templateError { _ = try Loader(root: "/nonexistent-twister").load("x.html") }
        #expect(e?.kind == .loadError)
    }

    @Test func loaderSettingsApplyToItsTemplates() throws {
        let loader = Loader(templates: ["a.txt": "{{ x }}  {{ greeting }}"], autoescape: .none, whitespace: .oneline,
                            namespace: ["greeting": "hi"])
        #expect(try loader.load("a.txt").render(["x": "<b>"]) == "<b> hi")
        #expect(try loader.load("a.txt").render(["x": "", "greeting": "yo"]) == " yo")
    }

    @Test func dictionaryLoaderResolvesLikePosix() {
        let loader = Loader(templates: [:])
        #expect(loader.resolvePath("../c.html", relativeTo: "a/b/x.html") == "a/c.html")
        #expect(loader.resolvePath("./c.html", relativeTo: "x.html") == "c.html")
        #expect(loader.resolvePath("/abs.html", relativeTo: "a/x.html") == "/abs.html")
    }

    @Test func templatesRenderConcurrently() async throws {
        let loader = Loader(templates: ["t.html": "{% for i in range(n) %}{{ i }}{% end %}"])
        let t = try loader.load("t.html")
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<8 { group.addTask { try t.render(["n": .int(n)]) } }
            var out: [String] = []
            for try await r in group { out.append(r) }
            return out.sorted()
        }
        #expect(results == ["", "0", "01", "012", "0123", "01234", "012345", "0123456"])
    }
}
