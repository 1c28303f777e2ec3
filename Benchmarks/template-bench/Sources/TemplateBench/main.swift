// Renders table.html with 100 rows N times and prints "renders_per_CPU_second output_bytes" (best of 3).
// Usage: TemplateBench <table.html> <iterations> [output-file]
import Foundation
import TwisterTemplates

let args = CommandLine.arguments
let path = args.count > 1 ? args[1] : "table.html"
let iterations = args.count > 2 ? Int(args[2])! : 20000
let source = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self)
let template = try Template(source, name: "table.html")

var rows: [TemplateValue] = []
for i in 0..<100 {
    rows.append([
        "id": .int(i),
        "name": .string(i % 10 == 0 ? "User <\(i)> & \"friends\"" : "User \(i)"),
        "email": .string("user\(i)@example.com"),
        "score": .double(Double(i) * 1.5),
        "active": .bool(i % 3 == 0),
    ])
}
let values: [String: TemplateValue] = ["title": "Users & scores", "rows": .array(rows)]

/// CPU time of this process, so other load on the machine skews the result less than wall time would.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

// Warm up, and keep the output for the equality check.
var output: [UInt8] = []
for _ in 0..<200 {
    output.removeAll(keepingCapacity: true)
    try template.render(into: &output, values)
}
if args.count > 3 {
    _ = FileManager.default.createFile(atPath: args[3], contents: Data(output))
}

var best = 0.0
for _ in 0..<3 {
    var buffer: [UInt8] = []
    let start = cpuSeconds()
    for _ in 0..<iterations {
        buffer.removeAll(keepingCapacity: true)
        try template.render(into: &buffer, values)
    }
    let seconds = cpuSeconds() - start
    best = max(best, Double(iterations) / seconds)
}
print(String(format: "%.0f %d", best, output.count))
