// swift-tools-version: 6.1
// Twister: Twisted's networking core and Tornado's web framework in Swift 6.
// The library names no package dependencies; peer benchmarks live in Benchmarks/ with their own Package.swift.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // nonisolated async code runs on the caller's executor (the reactor), never hops to the global pool.
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "Twister",
    products: [
        .library(name: "TwisterDeferred", targets: ["TwisterDeferred"]),
        .library(name: "TwisterProtocols", targets: ["TwisterProtocols"]),
        .library(name: "TwisterTesting", targets: ["TwisterTesting"]),
        .library(name: "TwisterTemplates", targets: ["TwisterTemplates"]),
        .library(name: "TwisterWeb", targets: ["TwisterWeb"]),
        .executable(name: "twister", targets: ["twister"]),
    ],
    targets: [
        // epoll/eventfd/timerfd/pipe2/sendfile and a C thread-local: Glibc does not expose them.
        .target(name: "CTwisterShim", path: "Sources/CShim"),
        // The system zlib, for gzip content coding.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "TwisterDeferred", path: "Sources/Deferred", swiftSettings: swiftSettings),
        .target(name: "TwisterProtocols", dependencies: ["TwisterDeferred", "CTwisterShim"],
                path: "Sources/Protocols", swiftSettings: swiftSettings),
        .target(name: "TwisterTesting", dependencies: ["TwisterDeferred", "TwisterProtocols"],
                path: "Sources/Testing", swiftSettings: swiftSettings),
        .target(name: "TwisterTemplates", path: "Sources/Templates", swiftSettings: swiftSettings),
        .target(name: "TwisterWeb", dependencies: ["TwisterDeferred", "TwisterProtocols", "TwisterTemplates", "CZlib", "CTwisterShim"],
                path: "Sources/Web", swiftSettings: swiftSettings),
        .executableTarget(name: "twister", dependencies: ["TwisterDeferred", "TwisterProtocols", "TwisterWeb"],
                          path: "Sources/twister", swiftSettings: swiftSettings),
        .testTarget(name: "DeferredTests", dependencies: ["TwisterDeferred"], swiftSettings: swiftSettings),
        .testTarget(name: "ProtocolsTests", dependencies: ["TwisterProtocols", "TwisterTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TemplatesTests", dependencies: ["TwisterTemplates"], swiftSettings: swiftSettings),
        .testTarget(name: "WebTests", dependencies: ["TwisterWeb", "TwisterTesting"], swiftSettings: swiftSettings),
    ]
)
