import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation

/// One route of an ``Application`` (Tornado's `URLSpec`/`url(...)`): a path pattern, the handler to make for a
/// match, its initializer arguments, and an optional name for ``Application/reverseURL(_:_:)``.
///
/// The pattern is a regular expression matched against the whole request path (still percent-encoded), as
/// Tornado's: it is anchored at the start and `$` is appended unless present. Groups are all positional or all
/// named (`(?P<name>…)` or `(?<name>…)`); their values are percent-decoded (`+` stays `+`). A pattern without
/// regex syntax is compared as a string, without running a regex (the fast path). Compiled once, at init.
@ReactorActor
public final class URLSpec {
    public let pattern: String
    public let name: String?
    /// Passed to ``RequestHandler/initialize(_:)``.
    public let arguments: [String: Any]
    let makeHandler: @ReactorActor () -> RequestHandler
    /// Whether the handler type streams request bodies (known at init for a type; for a factory, learnt from
    /// the first handler it makes for a request with a body).
    var streamsRequestBody: Bool?
    let literal: String?
    let regex: NSRegularExpression?
    let groupNames: [String]
    let groupCount: Int
    /// Fixed text and group positions for reversing (nil when the pattern is too complex).
    let reversePieces: [String]?

    /// A route to handlers made with `factory`.
    public init(_ pattern: String, name: String? = nil, arguments: [String: Any] = [:],
                factory: @escaping @ReactorActor () -> RequestHandler) {
        var p = pattern
        if !p.hasSuffix("$") { p += "$" }
        self.pattern = p
        self.name = name
        self.arguments = arguments
        self.makeHandler = factory
        let body = String(p.dropLast())
        let (lit, pieces, names, groups) = URLSpec.analyse(body.hasPrefix("^") ? String(body.dropFirst()) : body)
        literal = lit
        reversePieces = pieces
        groupNames = names
        groupCount = groups
        if lit != nil {
            regex = nil
        } else {
            let translated = p.replacingOccurrences(of: "(?P<", with: "(?<")
            regex = try? NSRegularExpression(pattern: "^(?:" + translated.dropLast() + ")$", options: [])
            if regex == nil { HTTPLog.misuse("route pattern \(pattern.debugDescription) does not compile; it matches nothing") }
        }
    }

    /// A route to `handler` (made with its `init()`).
    public convenience init(_ pattern: String, _ handler: RequestHandler.Type, arguments: [String: Any] = [:], name: String? = nil) {
        self.init(pattern, name: name, arguments: arguments, factory: { handler.init() })
        streamsRequestBody = handler.streamRequestBody
    }

    /// A route to handlers of type `H`, each made with its `init()` and then given its dependencies, typed, by
    /// `initialize` (Tornado's `initialize(**kwargs)` as a closure: `URLSpec("/", MainHandler.self) { $0.db = db }`).
    /// Runs before anything else of the handler's lifecycle (before ``RequestHandler/initialize(_:)``). For a
    /// handler with an initializer of its own, use ``init(_:name:arguments:factory:)``.
    public convenience init<H: RequestHandler>(_ pattern: String, _ handler: H.Type, name: String? = nil,
                                               initialize: @escaping @ReactorActor (H) -> Void) {
        self.init(pattern, name: name, factory: {
            let h = handler.init()
            initialize(h)
            return h
        })
        streamsRequestBody = handler.streamRequestBody
    }

    /// The raw (still percent-encoded) groups when `path` matches: positional or named. nil when it does not.
    func match(_ path: String) -> (positional: [Substring?], named: [String: Substring?])? {
        if let literal { return literal == path ? ([], [:]) : nil }
        guard let regex else { return nil }
        let ns = path as NSString
        guard let m = regex.firstMatch(in: path, options: [.anchored], range: NSRange(location: 0, length: ns.length)) else { return nil }
        func group(_ r: NSRange) -> Substring? {
            guard r.location != NSNotFound, let range = Range(r, in: path) else { return nil }
            return path[range]
        }
        if !groupNames.isEmpty {
            var named: [String: Substring?] = [:]
            for n in groupNames { named[n] = group(m.range(withName: n)) }
            return ([], named)
        }
        var positional: [Substring?] = []
        if m.numberOfRanges > 1 { for i in 1..<m.numberOfRanges { positional.append(group(m.range(at: i))) } }
        return (positional, [:])
    }

    /// Rebuilds a path from `arguments` (already escaped), or nil when the pattern cannot be reversed.
    func reverse(_ escaped: [String]) throws -> String {
        guard let pieces = reversePieces else {
            throw RouteError("Cannot reverse a URL for a complex pattern: \(pattern)")
        }
        guard escaped.count == groupCount else {
            throw RouteError("required number of arguments (\(groupCount)) not found for \(pattern)")
        }
        var out = pieces[0]
        for (i, a) in escaped.enumerated() { out += a + pieces[i + 1] }
        return out
    }

    private static let metacharacters: Set<Character> = ["\\", ".", "^", "$", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|"]

    /// (literal path when the pattern has no regex syntax, reverse pieces, group names, group count).
    private static func analyse(_ pattern: String) -> (String?, [String]?, [String], Int) {
        // Group names and count.
        var names: [String] = []
        var count = 0
        let chars = Array(pattern)
        var i = 0
        var escaped = false
        var inClass = false
        while i < chars.count {
            let c = chars[i]
            if escaped { escaped = false; i += 1; continue }
            if c == "\\" { escaped = true; i += 1; continue }
            if inClass { if c == "]" { inClass = false }; i += 1; continue }
            if c == "[" { inClass = true; i += 1; continue }
            if c == "(" {
                if i + 1 < chars.count && chars[i + 1] == "?" {
                    var j = i + 2
                    if j < chars.count && chars[j] == "P" { j += 1 }
                    if j < chars.count && chars[j] == "<" && j + 1 < chars.count && chars[j + 1] != "=" && chars[j + 1] != "!" {
                        var name = ""
                        var k = j + 1
                        while k < chars.count && chars[k] != ">" { name.append(chars[k]); k += 1 }
                        names.append(name)
                        count += 1
                    }
                } else {
                    count += 1
                }
            }
            i += 1
        }
        // Literal?
        var literal = ""
        var isLiteral = true
        i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                guard i + 1 < chars.count, !chars[i + 1].isLetter, !chars[i + 1].isNumber else { isLiteral = false; break }
                literal.append(chars[i + 1]); i += 2; continue
            }
            if metacharacters.contains(c) { isLiteral = false; break }
            literal.append(c); i += 1
        }
        // Reverse pieces: top-level groups replaced, no nesting, fixed text literal.
        var pieces: [String]? = []
        var current = ""
        i = 0
        var depth = 0
        loop: while i < chars.count {
            let c = chars[i]
            if depth == 0 {
                if c == "\\" {
                    guard i + 1 < chars.count, !chars[i + 1].isLetter, !chars[i + 1].isNumber else { pieces = nil; break loop }
                    current.append(chars[i + 1]); i += 2; continue
                }
                if c == "(" { depth = 1; pieces!.append(current); current = ""; i += 1; continue }
                if metacharacters.contains(c) { pieces = nil; break loop }
                current.append(c)
            } else {
                if c == "\\" { i += 2; continue }
                if c == "(" { pieces = nil; break loop }
                if c == ")" { depth = 0 }
            }
            i += 1
        }
        if depth != 0 { pieces = nil }
        pieces?.append(current)
        return (isLiteral ? literal : nil, pieces, names, count)
    }
}

/// A route could not be built or reversed.
public struct RouteError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

/// A value ``Application/reverseURL(_:_:)`` can put in a path: its bytes are percent-encoded (`/` kept).
public protocol ReverseURLArgument {
    var reverseURLBytes: [UInt8] { get }
}
extension String: ReverseURLArgument { public var reverseURLBytes: [UInt8] { Array(utf8) } }
extension Substring: ReverseURLArgument { public var reverseURLBytes: [UInt8] { Array(utf8) } }
extension Int: ReverseURLArgument { public var reverseURLBytes: [UInt8] { Array(String(self).utf8) } }
extension Array: ReverseURLArgument where Element == UInt8 { public var reverseURLBytes: [UInt8] { self } }
