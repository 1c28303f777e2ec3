import Foundation
import Testing
@testable import TwisterDeferred

/// The typed chain API: same-type steps may be added on the first handle (Twisted's idiom), type-changing steps
/// return the handle to use, and Deferred-returning steps pause the chain.
@Suite struct TypedChainTests {
    @Test func sameTypeStepsOnTheFirstHandleRunInOrder() throws {
        let d = Deferred<Int>()
        var seen: [Int] = []
        d.addCallback { $0 + 1 }
        d.addCallback { x in
            seen.append(x)
            return x * 10
        }
        d.addErrback { _ in -1 }
        d.addBoth { r in (try? r.get()) ?? 0 }
        d.callback(1)
        #expect(seen == [2])
        #expect(try d.result?.get() == 20)
    }

    @Test func typeChangingStepReturnsTheHandleThatReadsTheNewType() throws {
        let d = Deferred<Int>()
        let s = d.addCallback { "n=\($0)" }
        let n = s.addCallback { $0.count }
        d.callback(7)
        #expect(try n.result?.get() == 3)
    }

    @Test func deferredCallbackPausesTheChainUntilTheInnerFires() {
        let d = Deferred<Int>()
        let inner = Deferred<String>()
        var got: String?
        _ = d.addDeferredCallback { _ in inner }.addCallback { got = $0 }
        d.callback(1)
        #expect(d.isPaused)
        #expect(got == nil)
        inner.callback("done")
        #expect(got == "done")
    }

    @Test func deferredErrbackAndBothRecoverThroughAnInnerDeferred() throws {
        let d = Deferred<Int>()
        d.addCallback { _ in throw CancelledError() }
        d.addDeferredErrback { _ in Deferred.succeed(5) }
        d.addDeferredBoth { r in Deferred.succeed(((try? r.get()) ?? 0) + 1) }
        d.callback(0)
        #expect(try d.result?.get() == 6)
    }

    /// Runs scripts/typecheck.sh, which type-checks small snippets against the Deferred API and checks the
    /// diagnostics (a same-type step discarded: none; a type-changing step discarded: a warning; a Deferred
    /// returned from `addCallback`: a deprecation warning naming `addDeferredCallback`).
    @Test(.enabled(if: TypecheckScript.available)) func compileBehaviourOfTheOverloads() throws {
        let status = try TypecheckScript.run()
        #expect(status == 0)
    }
}

/// Locates scripts/typecheck-deferred.sh and the modules this test bundle was built with.
enum TypecheckScript {
    static let script: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/typecheck-deferred.sh").path
    }()
    /// The build directory's Modules folder (beside the test bundle).
    static let modules: String = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("Modules").path

    static var available: Bool {
        FileManager.default.fileExists(atPath: script)
            && FileManager.default.fileExists(atPath: modules + "/TwisterDeferred.swiftmodule")
    }

    /// Runs the script and returns its exit status (its output goes to this process's output).
    static func run() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["bash", script]
        var env = ProcessInfo.processInfo.environment
        env["MODULES"] = modules
        p.environment = env
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
