/// Tornado's `tornado.escape` functions, as templates call them (`escape`, `url_escape`, `json_encode`, …).
public enum TemplateEscaping {
    /// HTML-escapes `& < > " '` as `&amp; &lt; &gt; &quot; &#x27;` (Python's `html.escape`, which Tornado's
    /// `xhtml_escape` wraps since 6.4).
    public static func xhtmlEscape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        appendXHTMLEscaped(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-encodes UTF-8 bytes outside `A-Z a-z 0-9 _ . - ~`. With `plus` (the default, Python's `quote_plus`)
    /// a space becomes `+` and `/` is encoded; without it (`quote`) a space is `%20` and `/` is kept.
    public static func urlEscape(_ text: String, plus: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: " ") where plus: out.append(UInt8(ascii: "+"))
            case UInt8(ascii: "/") where !plus: out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(contentsOf: hexByte(b, upper: true).utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// JSON text as Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII as `\uXXXX`),
    /// with `</` written as `<\/` so the result is safe inside `<script>`. Dictionary keys keep their order.
    public static func jsonEncode(_ value: TemplateValue) throws -> String {
        var out: [UInt8] = []
        try appendJSON(value, to: &out)
        // Replace "</" by "<\/".
        var result: [UInt8] = []
        result.reserveCapacity(out.count)
        var i = 0
        while i < out.count {
            result.append(out[i])
            if out[i] == UInt8(ascii: "<"), i + 1 < out.count, out[i + 1] == UInt8(ascii: "/") {
                result.append(UInt8(ascii: "\\"))
            }
            i += 1
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Collapses runs of characters `\x00`–`\x20` into one space and strips the ends.
    public static func squeeze(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var inRun = false
        for s in text.unicodeScalars {
            if s.value <= 0x20 {
                if !inRun { scalars.append(" ") }
                inRun = true
            } else {
                scalars.append(s)
                inRun = false
            }
        }
        return pythonStrip(String(scalars))
    }

    /// Escapes `text` and turns `http://`, `https://` and `www.` URLs into links:
    /// `linkify("Hello http://tornadoweb.org!")` is `Hello <a href="http://tornadoweb.org">http://tornadoweb.org</a>!`.
    ///
    /// A simplified port of Tornado's: no `shorten`, no balanced-parenthesis URLs, protocols limited to
    /// `permittedProtocols`; `extraParams` is added inside the `<a>` tag.
    public static func linkify(_ text: String, extraParams: String = "", requireProtocol: Bool = false,
                               permittedProtocols: [String] = ["http", "https"]) -> String {
        let escaped = Array(xhtmlEscape(text).unicodeScalars)
        let params = extraParams.isEmpty ? "" : " " + pythonStrip(extraParams)
        var out = String.UnicodeScalarView()
        var i = 0
        func isWord(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil || s == "_" }
        func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
        let punct = Set("!\"#$%&'()*+,.:;<=>?@[]^`{|}~".unicodeScalars)
        while i < escaped.count {
            let atBoundary = i == 0 || !isWord(escaped[i - 1])
            guard atBoundary, isWord(escaped[i]) || escaped[i] == "-" else {
                out.append(escaped[i]); i += 1; continue
            }
            // Protocol: [\w-]+:/{1,3}, or www.
            var j = i
            var proto: String? = nil
            while j < escaped.count, isWord(escaped[j]) || escaped[j] == "-" { j += 1 }
            var bodyStart = -1
            if j < escaped.count, escaped[j] == ":" {
                var k = j + 1
                var slashes = 0
                while k < escaped.count, escaped[k] == "/", slashes < 3 { k += 1; slashes += 1 }
                if slashes > 0 {
                    proto = String(String.UnicodeScalarView(escaped[i..<j]))
                    bodyStart = k
                }
            }
            if bodyStart < 0 {
                let www: [Unicode.Scalar] = ["w", "w", "w", "."]
                if i + 4 <= escaped.count, Array(escaped[i..<i + 4]) == www { bodyStart = i + 4 }
            }
            if bodyStart < 0 {
                // Not a URL: copy the word and move on.
                out.append(contentsOf: escaped[i..<j]); i = j; continue
            }
            var end = bodyStart
            while end < escaped.count {
                let c = escaped[end]
                if isSpace(c) || c == "(" || c == ")" { break }
                if c == "&" {
                    let rest = String(String.UnicodeScalarView(escaped[end..<min(end + 6, escaped.count)]))
                    if rest.hasPrefix("&amp;") { end += 5; continue }
                    if rest.hasPrefix("&quot;") { end += 6; continue }
                    break
                }
                end += 1
            }
            // The URL may not end in punctuation (an entity's ';' included).
            while end > bodyStart, punct.contains(escaped[end - 1]) {
                end -= 1
                let tail = String(String.UnicodeScalarView(escaped[bodyStart..<end]))
                if tail.hasSuffix("&amp") { end -= 4 } else if tail.hasSuffix("&quot") { end -= 5 }
            }
            if end == bodyStart {
                out.append(contentsOf: escaped[i..<bodyStart]); i = bodyStart; continue
            }
            let url = String(String.UnicodeScalarView(escaped[i..<end]))
            if (requireProtocol && proto == nil) || (proto != nil && !permittedProtocols.contains(proto!)) {
                out.append(contentsOf: url.unicodeScalars)
            } else {
                let href = proto == nil ? "http://" + url : url
                out.append(contentsOf: "<a href=\"\(href)\"\(params)>\(url)</a>".unicodeScalars)
            }
            i = end
        }
        return String(out)
    }
}

/// Appends `text` HTML-escaped; the hot path of `{{ expr }}`.
@inline(__always)
func appendXHTMLEscaped(_ text: String, to out: inout [UInt8]) {
    var text = text
    text.withUTF8 { appendXHTMLEscaped(bytes: $0, to: &out) }
}

func appendXHTMLEscaped(bytes buf: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
    var start = 0
    var i = 0
    let n = buf.count
    while i < n {
        let c = buf[i]
        if c > 0x3E || c < 0x22 { i += 1; continue }
        let replacement: StaticString
        switch c {
        case UInt8(ascii: "&"): replacement = "&amp;"
        case UInt8(ascii: "<"): replacement = "&lt;"
        case UInt8(ascii: ">"): replacement = "&gt;"
        case UInt8(ascii: "\""): replacement = "&quot;"
        case UInt8(ascii: "'"): replacement = "&#x27;"
        default: i += 1; continue
        }
        if i > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i])) }
        replacement.withUTF8Buffer { out.append(contentsOf: $0) }
        i += 1
        start = i
    }
    if start == 0 {
        out.append(contentsOf: buf)
    } else if start < n {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<n]))
    }
}

/// Python's `str.strip()` with no arguments: trims Unicode whitespace at both ends.
func pythonStrip(_ s: String) -> String {
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isPythonSpace($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !isPythonSpace($0) })!
    return String(scalars[first...last])
}

/// Python's `str.isspace()` for one character (what `\s` matches in a `str` regex).
func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
        return true
    default:
        return false
    }
}

/// Appends `value` as JSON in `json.dumps` style.
func appendJSON(_ value: TemplateValue, to out: inout [UInt8]) throws {
    switch value {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i): appendInt(i, to: &out)
    case .double(let d):
        if d.isNaN { out.append(contentsOf: "NaN".utf8) } else if d.isInfinite {
            out.append(contentsOf: (d < 0 ? "-Infinity" : "Infinity").utf8)
        } else { appendPythonFloat(d, to: &out) }
    case .string(let s): appendJSONString(s, to: &out)
    case .array(let a):
        out.append(UInt8(ascii: "["))
        for (i, e) in a.enumerated() {
            if i > 0 { out.append(contentsOf: ", ".utf8) }
            try appendJSON(e, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    case .dictionary(let d):
        out.append(UInt8(ascii: "{"))
        for (i, (k, v)) in d.enumerated() {
            if i > 0 { out.append(contentsOf: ", ".utf8) }
            appendJSONString(k, to: &out)
            out.append(contentsOf: ": ".utf8)
            try appendJSON(v, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    case .object, .function:
        throw TemplateError(kind: .typeError, message: "Object of type \(value.typeName) is not JSON serializable")
    }
}

func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for unit in s.utf16 {
        switch unit {
        case 0x22: out.append(contentsOf: "\\\"".utf8)
        case 0x5C: out.append(contentsOf: "\\\\".utf8)
        case 0x0A: out.append(contentsOf: "\\n".utf8)
        case 0x0D: out.append(contentsOf: "\\r".utf8)
        case 0x09: out.append(contentsOf: "\\t".utf8)
        case 0x08: out.append(contentsOf: "\\b".utf8)
        case 0x0C: out.append(contentsOf: "\\f".utf8)
        case 0x20..<0x7F: out.append(UInt8(unit))
        default:
            out.append(contentsOf: "\\u".utf8)
            out.append(contentsOf: hexByte(UInt8(unit >> 8), upper: false).utf8)
            out.append(contentsOf: hexByte(UInt8(unit & 0xFF), upper: false).utf8)
        }
    }
    out.append(UInt8(ascii: "\""))
}
