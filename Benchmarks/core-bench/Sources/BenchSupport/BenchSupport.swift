// Shared helpers for the benchmark drivers: timing, medians, child processes, the machine line, the table.
import Foundation

public func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

public func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    if s.isEmpty { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Runs `argv` to completion and returns its standard output (standard error passes through).
@discardableResult
public func runCapture(_ argv: [String], environment: [String: String]? = nil) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let pipe = Pipe()
    p.standardOutput = pipe
    do { try p.run() } catch { FileHandle.standardError.write("cannot run \(argv): \(error)\n".data(using: .utf8)!); return "" }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Starts `argv` in the background; its standard output lines are available through `readLine()`.
public final class Child {
    public let process = Process()
    let pipe = Pipe()
    var buffer = Data()

    public init(_ argv: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        process.standardOutput = pipe
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// The next line of output (nil at end of file).
    public func readLine() -> String? {
        while true {
            if let i = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<i], as: UTF8.self)
                buffer = Data(buffer[(i + 1)...])
                return line
            }
            let d = pipe.fileHandleForReading.availableData
            if d.isEmpty { return nil }
            buffer.append(d)
        }
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Parses the number at the end of the first line that starts with `prefix` (commas allowed).
public func number(after prefix: String, in text: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
        let rest = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        let token = rest.split(separator: " ").first.map(String.init) ?? ""
        return Double(token.replacingOccurrences(of: ",", with: ""))
    }
    return nil
}

public func machineLine() -> String {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }
        .map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) } ?? "?"
    let kernel = runCapture(["uname", "-r"]).trimmingCharacters(in: .whitespacesAndNewlines)
    let swift = runCapture(["swift", "--version"]).split(separator: "\n").first.map(String.init) ?? "?"
    return "nproc \(ProcessInfo.processInfo.activeProcessorCount), \(cpu), Linux \(kernel), \(swift)"
}

public func loadLine() -> String {
    runCapture(["uptime"]).trimmingCharacters(in: .whitespacesAndNewlines)
}

public func fmt(_ x: Double, _ digits: Int = 0) -> String {
    if x.isNaN { return "—" }
    if digits == 0 {
        let n = Int(x.rounded())
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.groupingSeparator = ","
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }
    return String(format: "%.\(digits)f", x)
}

/// Prints a Markdown table.
public func printTable(_ header: [String], _ rows: [[String]]) {
    print("| " + header.joined(separator: " | ") + " |")
    print("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
    for r in rows { print("| " + r.joined(separator: " | ") + " |") }
}
