// swift-tools-version: 6.1
// memcached and Redis client benchmark (issue 6): Twister's MemCacheProtocol and RedisProtocol beside
// redis-benchmark and Twisted's MemCacheProtocol, in one run. Run: swift run -c release clients-bench.
import Foundation
import PackageDescription

// A path dependency's identity is its directory name (a worktree may not be called "Twister").
let twister = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "clients-bench",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "clients-bench",
            dependencies: [.product(name: "TwisterProtocols", package: twister)],
            path: "Sources/ClientsBench",
            swiftSettings: [.swiftLanguageMode(.v6), .enableUpcomingFeature("NonisolatedNonsendingByDefault")]),
    ]
)
