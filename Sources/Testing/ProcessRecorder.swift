import Foundation
import TwisterProtocols

/// A process protocol that records what a child process writes and how it ended, for tests that run a real
/// program (a server under test, a peer client) through `Reactor.spawnProcess`.
///
/// Everything runs on the reactor thread: `out` and `err` grow as the pipes deliver, `ended` fires with the
/// ``ProcessEnd`` once the child has exited and its pipes are closed. Subclass it to react to output as well.
@ReactorActor
open class ProcessRecorder: ProcessProtocol {
    /// Everything the child wrote to its standard output so far.
    public var out = ByteBuffer()
    /// Everything the child wrote to its standard error so far.
    public var err = ByteBuffer()
    /// Fires with how the child ended (exit code or signal).
    public let ended = Deferred<ProcessEnd>()

    public override init() { super.init() }

    open override func outReceived(_ data: ByteBuffer) { out.writeImmutableBuffer(data) }
    open override func errReceived(_ data: ByteBuffer) { err.writeImmutableBuffer(data) }
    open override func processEnded(_ reason: Failure) {
        ended.callback(reason.error as? ProcessEnd ?? .terminated(exitCode: -1, signal: nil))
    }

    /// The first line of standard output (without its newline), waiting up to `timeout` seconds; nil if no whole
    /// line arrived in time.
    public func firstLine(timeout: Double = 10) async throws -> String? {
        guard try await eventually(timeout: timeout, { String(buffer: self.out).contains("\n") }) else { return nil }
        return String(String(buffer: out).split(separator: "\n", omittingEmptySubsequences: false)[0])
    }

    /// The port of a first output line of the form `NAME: listening on HOST:PORT` (what every `twister` server
    /// subcommand prints), waiting up to `timeout` seconds; nil if no such line arrived.
    public func listeningPort(timeout: Double = 10) async throws -> Int? {
        guard let line = try await firstLine(timeout: timeout), let colon = line.lastIndex(of: ":") else { return nil }
        return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    /// The path of an executable called `name` built beside the running program (the test bundle), looking in its
    /// folder and up to three folders above; nil when there is none.
    nonisolated public static func siblingExecutable(_ name: String) -> String? {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
