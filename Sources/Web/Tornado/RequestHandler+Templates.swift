import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import TwisterTemplates

/// Templates and URLs (Tornado's `render`, `render_string`, `get_template_namespace`, `static_url`,
/// `reverse_url`). Templates come from the application's loader (``ApplicationSettings/templatePath`` or
/// ``ApplicationSettings/templateLoader``); see Docs/templates.md for the language.
extension RequestHandler {
    /// Renders template `name` with `values` (plus ``templateNamespace()``) and finishes the response.
    public func render(_ name: String, _ values: [String: TemplateValue] = [:]) throws {
        if finished { throw HTTPError(500, "Cannot render() after finish()") }
        let bytes = try renderBytes(name, values)
        buffer.writeBytes(bytes)
        finish()
    }

    /// The rendered text of template `name` (Tornado's `render_string`), without writing it.
    public func renderString(_ name: String, _ values: [String: TemplateValue] = [:]) throws -> String {
        String(decoding: try renderBytes(name, values), as: UTF8.self)
    }

    private func renderBytes(_ name: String, _ values: [String: TemplateValue]) throws -> [UInt8] {
        guard let loader = application.templateLoader else {
            throw HTTPError(500, "No template loader: set templatePath or templateLoader")
        }
        let template = try loader.load(name)
        var ns = templateNamespace()
        for (k, v) in values { ns[k] = v }
        return try template.generate(ns)
    }

    /// What every template rendered by this handler sees: `static_url(path)`, `reverse_url(name, *args)`,
    /// `current_user`, `request` (`uri`, `path`, `query`, `method`, `host`, `remote_ip`), `xsrf_form_html()` and
    /// `xsrf_token` when `xsrfCookies` is on, and the settings' `templateNamespace` (what
    /// ``RequestHandler/templateNamespace()`` returns unless overridden).
    public func defaultTemplateNamespace() -> [String: TemplateValue] {
        var ns = application.settings.templateNamespace
        let versions = application.staticVersions
        ns["static_url"] = .function(TemplateFunction("static_url") { args in
            guard let p = args.value(0, "path")?.stringValue else {
                throw TemplateError(kind: .typeError, message: "static_url() needs a path")
            }
            let include = args.value(1, "include_version")?.isTruthy ?? true
            return .string(versions.url(p, includeVersion: include))
        })
        let reversible = application.reverseTable
        ns["reverse_url"] = .function(TemplateFunction("reverse_url") { args in
            guard let name = args.value(0, "name")?.stringValue, let entry = reversible[name] else {
                throw TemplateError(kind: .keyError, message: "reverse_url: unknown route name")
            }
            let escaped = args.positional.dropFirst().map { TornadoURLCoding.quote(Array($0.pythonString.utf8)) }
            guard let pieces = entry.pieces, escaped.count == entry.count else {
                throw TemplateError(kind: .valueError, message: "reverse_url: cannot reverse \(name)")
            }
            var out = pieces[0]
            for (i, a) in escaped.enumerated() { out += a + pieces[i + 1] }
            return .string(out)
        })
        ns["current_user"] = currentUser.flatMap { TemplateValue(any: $0) } ?? .null
        ns["request"] = .dictionary(TemplateDictionary(ordered: [
            ("uri", .string(request.uri)), ("path", .string(request.path)), ("query", .string(request.query)),
            ("method", .string(request.method)), ("host", .string(host)), ("remote_ip", .string(remoteIP)),
        ]))
        if application.settings.xsrfCookies {
            let html = xsrfFormHTML()
            ns["xsrf_form_html"] = .function(TemplateFunction("xsrf_form_html") { _ in .string(html) })
            ns["xsrf_token"] = .string(xsrfToken)
        }
        return ns
    }

    /// The URL of static file `path`: the static prefix, the path, and `?v=<SHA-512 of the content>` (cached)
    /// unless `includeVersion` is false; absolute (`scheme://host`) when `includeHost`.
    public func staticURL(_ path: String, includeHost: Bool = false, includeVersion: Bool = true) -> String {
        let base = includeHost ? "\(scheme)://\(host)" : ""
        return base + application.staticVersions.url(path, includeVersion: includeVersion)
    }

    /// ``Application/reverseURL(_:_:)``.
    public func reverseURL(_ name: String, _ arguments: any ReverseURLArgument...) throws -> String {
        try application.reverseURL(name, arguments: arguments)
    }
}

/// A route's reverse form, copied out of the ``URLSpec`` so templates (Sendable functions) can use it.
struct ReverseEntry: Sendable {
    let pieces: [String]?
    let count: Int
}

extension Application {
    /// Named routes' reverse forms.
    var reverseTable: [String: ReverseEntry] {
        namedSpecs.mapValues { ReverseEntry(pieces: $0.reversePieces, count: $0.groupCount) }
    }
}
