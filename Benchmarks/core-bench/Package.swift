// swift-tools-version: 6.1
// Deferred (issue 2) and reactor (issue 3) benchmarks, with SwiftNIO peers. Kept out of the library package
// (which names no dependencies). Run: swift run -c release deferred-bench / reactor-bench (see ../README.md).
import Foundation
import PackageDescription

// A path dependency's identity is its directory name (a worktree may not be called "Twister").
let twister = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "core-bench",
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(name: "BenchSupport", path: "Sources/BenchSupport", swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(
            name: "deferred-bench",
            dependencies: ["BenchSupport", .product(name: "TwisterDeferred", package: twister)],
            path: "Sources/DeferredBench", swiftSettings: strict),
        .executableTarget(
            name: "reactor-bench",
            dependencies: ["BenchSupport"],
            path: "Sources/ReactorBench", swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(
            name: "twister-server",
            dependencies: [.product(name: "TwisterProtocols", package: twister)],
            path: "Sources/TwisterServer", swiftSettings: strict),
        .executableTarget(
            name: "nio-server",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/NIOServer", swiftSettings: [.swiftLanguageMode(.v5)]),
        // The one load generator used against every server (plain C: poll + blocking sockets, no framework).
        .executableTarget(name: "loadgen", path: "Sources/loadgen",
                          cSettings: [.unsafeFlags(["-O2"])]),
    ]
)
