/// Python's `str()` and `repr()` of template values, which is what `{{ value }}` prints.
extension TemplateValue {
    /// Python `str()`: strings as they are, `None`/`True`/`False`, floats with Python's shortest repr
    /// (`2.0`, `0.1`, `1e+16`), containers in repr form (`['a', 1]`, `{'k': None}`).
    public var pythonString: String {
        switch self {
        case .string(let s): return s
        case .object(let o): return o.templateDescription
        default:
            var out: [UInt8] = []
            appendPythonString(to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Python `repr()`: strings quoted the way Python quotes them (`'a'`, `"it's"`).
    public var pythonRepr: String {
        var out: [UInt8] = []
        appendPythonRepr(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `str(self)` as UTF-8.
    func appendPythonString(to out: inout [UInt8]) {
        switch self {
        case .string(let s): out.append(contentsOf: s.utf8)
        case .int(let i): appendInt(i, to: &out)
        case .null: out.append(contentsOf: "None".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "True" : "False").utf8)
        case .double(let d): appendPythonFloat(d, to: &out)
        case .object(let o): out.append(contentsOf: o.templateDescription.utf8)
        case .function(let f): out.append(contentsOf: "<function \(f.name)>".utf8)
        case .array, .dictionary: appendPythonRepr(to: &out)
        }
    }

    /// Appends `repr(self)` as UTF-8.
    func appendPythonRepr(to out: inout [UInt8]) {
        switch self {
        case .string(let s): appendStringRepr(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                e.appendPythonRepr(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let d):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in d.enumerated() {
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                appendStringRepr(k, to: &out)
                out.append(contentsOf: ": ".utf8)
                v.appendPythonRepr(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        default: appendPythonString(to: &out)
        }
    }
}

/// Appends the decimal digits of `i` without allocating.
@inline(__always)
func appendInt(_ i: Int, to out: inout [UInt8]) {
    if i >= 0 && i < 10 {
        out.append(UInt8(truncatingIfNeeded: i) &+ 0x30)
        return
    }
    var n = i.magnitude
    var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits and a sign
    withUnsafeMutableBytes(of: &tmp) { raw in
        var p = raw.count
        repeat {
            p -= 1
            raw[p] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
            n /= 10
        } while n > 0
        if i < 0 {
            p -= 1
            raw[p] = UInt8(ascii: "-")
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[p...]))
    }
}

/// Appends Python's float repr. Values below 1e9 with at most three decimals (prices, scores, ratios) are
/// written directly: for them `m / 10^k` with the smallest such `k` is the unique shortest round-trip form,
/// because the spacing of doubles there is far below `10^-3`. Everything else goes through `pythonFloat`.
func appendPythonFloat(_ d: Double, to out: inout [UInt8]) {
    let magnitude = d.magnitude
    if magnitude < 1e9 && magnitude >= 1e-3 {
        var scale = 1.0
        for k in 0...3 {
            let scaled = d * scale
            let rounded = scaled.rounded()
            if scaled == rounded && rounded / scale == d {
                let m = Int(rounded)
                let p = Int(scale)
                let whole = m / p
                if d < 0 && whole == 0 { out.append(UInt8(ascii: "-")) }
                appendInt(whole, to: &out)
                out.append(UInt8(ascii: "."))
                if k == 0 {
                    out.append(UInt8(ascii: "0"))
                } else {
                    var frac = (m % p).magnitude
                    var digits = p / 10
                    while digits > 0 {
                        out.append(UInt8(truncatingIfNeeded: frac / UInt(digits)) &+ 0x30)
                        frac %= UInt(digits)
                        digits /= 10
                    }
                }
                return
            }
            scale *= 10
        }
    }
    out.append(contentsOf: pythonFloat(d).utf8)
}

/// Python's float repr: shortest round-trip digits, always with a `.0` or an exponent.
func pythonFloat(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    return d.description  // Swift's description is the shortest round-trip form, formatted as Python does
}

/// Python's string repr: single quotes unless the text has a single quote and no double quote.
func appendStringRepr(_ s: String, to out: inout [UInt8]) {
    let quote: UInt8 = (s.contains("'") && !s.contains("\"")) ? UInt8(ascii: "\"") : UInt8(ascii: "'")
    out.append(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\\": out.append(contentsOf: "\\\\".utf8)
        case "\n": out.append(contentsOf: "\\n".utf8)
        case "\r": out.append(contentsOf: "\\r".utf8)
        case "\t": out.append(contentsOf: "\\t".utf8)
        default:
            if scalar.value == UInt32(quote) {
                out.append(UInt8(ascii: "\\"))
                out.append(quote)
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                out.append(contentsOf: "\\x".utf8)
                out.append(contentsOf: hexByte(UInt8(scalar.value), upper: false).utf8)
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
    }
    out.append(quote)
}

func hexByte(_ b: UInt8, upper: Bool) -> String {
    let digits = upper ? Array("0123456789ABCDEF".utf8) : Array("0123456789abcdef".utf8)
    return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 15)]], as: UTF8.self)
}
