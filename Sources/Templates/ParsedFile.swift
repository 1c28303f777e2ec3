/// One template file after parsing: its name, nodes and file-wide autoescape policy
/// (the last `{% autoescape %}` in the file wins, for the whole file, as in Tornado).
struct ParsedFile: Sendable {
    var name: String
    var nodes: [TemplateNode]
    var autoescape: Autoescape

    init(source: String, name: String, autoescape: Autoescape, whitespace: WhitespaceMode) throws {
        var parser = TemplateParser(source: source, name: name, whitespace: whitespace)
        self.nodes = try parser.parse()
        self.name = name
        if let directive = parser.autoescape {
            self.autoescape = Autoescape(directive: directive)
        } else {
            self.autoescape = autoescape
        }
    }
}
