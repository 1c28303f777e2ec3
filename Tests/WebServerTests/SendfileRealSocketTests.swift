import Testing
import Foundation
import TwisterTesting
@testable import TwisterWebServer
import TwisterWeb

/// Site + StaticFile over a real socket: large bodies go out with StreamTransport.sendFile (sendfile(2)).
@Suite struct SendfileRealSocketTests {
    @Test(.enabled(if: TestDependency.required(TestDependency.curl != nil), "needs curl; .ci/run installs it"))
    func threeMiBFileReachesCurlIntactAndRangesStillWork() async throws {
        let tree = TempTree()
        let size = 3 * 1024 * 1024
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        #expect(FileManager.default.createFile(atPath: tree.root + "/three.bin", contents: Data(bytes)))
        let server = try await LiveServer(StaticFile(tree.root))
        let n = await server.number
        let out1 = tree.outside + "/one.bin", out2 = tree.outside + "/two.bin", part = tree.outside + "/part.bin"
        // Two whole bodies on one keep-alive connection, then a range request.
        let (status, out) = try await runProgram(TestDependency.curl ?? "/usr/bin/curl", ["-sS", "--max-time", "20",
            "-w", "%{http_code} %{size_download} %{num_connects}\n",
            "-o", out1, "http://127.0.0.1:\(n)/three.bin", "-o", out2, "http://127.0.0.1:\(n)/three.bin"], timeout: 30)
        let (rstatus, rout) = try await runProgram(TestDependency.curl ?? "/usr/bin/curl", ["-sS", "--max-time", "20", "-r", "1000000-2999999",
            "-w", "%{http_code} %{size_download}", "-o", part, "http://127.0.0.1:\(n)/three.bin"], timeout: 30)
        await server.stop()
        #expect(status == 0)
        #expect(out == "200 \(size) 1\n200 \(size) 0\n")
        #expect(FileManager.default.contents(atPath: out1) == Data(bytes))
        #expect(FileManager.default.contents(atPath: out2) == Data(bytes))
        #expect(rstatus == 0)
        #expect(rout == "206 2000000")
        #expect(FileManager.default.contents(atPath: part) == Data(bytes[1_000_000..<3_000_000]))
    }
}
