/// A token of the expression language.
enum Token: Equatable {
    case name(String)
    case int(Int)
    case double(Double)
    case string(String)
    /// Punctuation and operators: `( ) [ ] { } , : . = + - * / // % ** == != < <= > >= += -=`.
    case op(String)
    case end
}

/// Splits expression text into tokens; throws a parse error (message only; the caller adds the location).
struct ExpressionLexer {
    static func tokenize(_ text: String) throws -> [Token] {
        let s = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        func isIdentStart(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || (c.value > 0x7F && c.properties.isAlphabetic)
        }
        func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || (c >= "0" && c <= "9") || (c.value > 0x7F && c.properties.numericType != nil) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        while i < s.count {
            let c = s[i]
            if isPythonSpace(c) { i += 1; continue }
            if isIdentStart(c) {
                var j = i
                while j < s.count, isIdent(s[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(s[i..<j]))
                // String prefixes u"…" and r"…".
                if j < s.count, s[j] == "\"" || s[j] == "'", word == "u" || word == "r" || word == "U" || word == "R" {
                    i = j
                    tokens.append(.string(try lexString(s, &i, raw: word.lowercased() == "r")))
                    continue
                }
                tokens.append(.name(word))
                i = j
                continue
            }
            if isDigit(c) || (c == "." && i + 1 < s.count && isDigit(s[i + 1])) {
                var j = i
                var isFloat = false
                while j < s.count {
                    let d = s[j]
                    if isDigit(d) || d == "_" { j += 1 } else if d == "." && !isFloat {
                        isFloat = true; j += 1
                    } else if (d == "e" || d == "E") && j + 1 < s.count
                        && (isDigit(s[j + 1]) || ((s[j + 1] == "-" || s[j + 1] == "+") && j + 2 < s.count && isDigit(s[j + 2])))
                    {
                        isFloat = true
                        j += 2
                    } else { break }
                }
                let text = String(String.UnicodeScalarView(s[i..<j])).replacingUnderscores()
                if isFloat {
                    guard let d = Double(text) else { throw lexError("invalid number \(text)") }
                    tokens.append(.double(d))
                } else {
                    guard let n = Int(text) else { throw lexError("invalid number \(text)") }
                    tokens.append(.int(n))
                }
                i = j
                continue
            }
            if c == "\"" || c == "'" {
                tokens.append(.string(try lexString(s, &i, raw: false)))
                continue
            }
            let two = i + 1 < s.count ? String(String.UnicodeScalarView([c, s[i + 1]])) : ""
            if ["//", "**", "==", "!=", "<=", ">=", "+=", "-=", "*="].contains(two) {
                tokens.append(.op(two))
                i += 2
                continue
            }
            if "()[]{},:.=+-*/%<>".unicodeScalars.contains(c) {
                tokens.append(.op(String(c)))
                i += 1
                continue
            }
            throw lexError("invalid character '\(c)'")
        }
        tokens.append(.end)
        return tokens
    }

    static func lexError(_ message: String) -> TemplateError {
        TemplateError(kind: .parseError, message: message)
    }

    /// Reads a quoted string starting at `i` (on the quote); supports Python's common escapes.
    static func lexString(_ s: [Unicode.Scalar], _ i: inout Int, raw: Bool) throws -> String {
        let quote = s[i]
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            if c == quote { i += 1; return String(out) }
            if c == "\\" && i + 1 < s.count {
                let e = s[i + 1]
                if raw {
                    out.append(c); out.append(e); i += 2; continue
                }
                i += 2
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "\\": out.append("\\")
                case "'": out.append("'")
                case "\"": out.append("\"")
                case "\n": break
                case "x", "u", "U":
                    let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                    guard i + width <= s.count,
                        let v = UInt32(String(String.UnicodeScalarView(s[i..<i + width])), radix: 16),
                        let scalar = Unicode.Scalar(v)
                    else { throw lexError("invalid \\\(e) escape") }
                    out.append(scalar)
                    i += width
                default:
                    out.append("\\"); out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw lexError("unterminated string literal")
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(self.unicodeScalars.filter { $0 != "_" }) }
}
