/// How a template's literal text whitespace is treated (Tornado's `filter_whitespace`).
///
/// Text containing `<pre>` is never filtered (Tornado's heuristic). The default is `.single` for names
/// ending in `.html` or `.js` and `.all` otherwise; a loader setting or `{% whitespace mode %}` overrides it.
public enum WhitespaceMode: String, Sendable {
    /// Keep all whitespace.
    case all
    /// Collapse runs of spaces and tabs into one space, and any whitespace run containing a newline into `\n`.
    case single
    /// Collapse every whitespace run into one space.
    case oneline

    /// The default mode for a template name.
    public static func `default`(forName name: String) -> WhitespaceMode {
        name.hasSuffix(".html") || name.hasSuffix(".js") ? .single : .all
    }

    /// Applies the mode to `text`.
    public func filter(_ text: String) -> String {
        switch self {
        case .all:
            return text
        case .single:
            // re.sub(r"([\t ]+)", " ") then re.sub(r"(\s*\n\s*)", "\n").
            var step1 = String.UnicodeScalarView()
            var inRun = false
            for s in text.unicodeScalars {
                if s == " " || s == "\t" {
                    if !inRun { step1.append(" ") }
                    inRun = true
                } else {
                    step1.append(s)
                    inRun = false
                }
            }
            var out = String.UnicodeScalarView()
            var run = String.UnicodeScalarView()
            var runHasNewline = false
            func flush() {
                if runHasNewline { out.append("\n") } else { out.append(contentsOf: run) }
                run = String.UnicodeScalarView()
                runHasNewline = false
            }
            for s in step1 {
                if isPythonSpace(s) {
                    run.append(s)
                    if s == "\n" { runHasNewline = true }
                } else {
                    if !run.isEmpty { flush() }
                    out.append(s)
                }
            }
            if !run.isEmpty { flush() }
            return String(out)
        case .oneline:
            var out = String.UnicodeScalarView()
            var inRun = false
            for s in text.unicodeScalars {
                if isPythonSpace(s) {
                    if !inRun { out.append(" ") }
                    inRun = true
                } else {
                    out.append(s)
                    inRun = false
                }
            }
            return String(out)
        }
    }
}
