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
        .library(name: "TwisterHTTP", targets: ["TwisterHTTP"]),
        .library(name: "TwisterWebServer", targets: ["TwisterWebServer"]),
        .library(name: "TwisterHTTPClient", targets: ["TwisterHTTPClient"]),
        .library(name: "TwisterTornado", targets: ["TwisterTornado"]),
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
        .target(name: "TwisterTesting", dependencies: ["TwisterDeferred", "TwisterProtocols", "TwisterWebServer"],
                path: "Sources/Testing", swiftSettings: swiftSettings),
        .target(name: "TwisterTemplates", path: "Sources/Templates", swiftSettings: swiftSettings),
        // The web stack: modules in Sources/Web, each importing only the ones below it.
        // HTTP vocabulary (headers, status, byte rules, dates, URL and HTML coding, chunked coding, zlib).
        .target(name: "TwisterHTTP", dependencies: ["TwisterDeferred", "TwisterProtocols", "CZlib"],
                path: "Sources/Web/HTTP", swiftSettings: swiftSettings),
        // twisted.web's server: HTTP/1.1 channel, Request, Resource, Site, static files, sessions.
        .target(name: "TwisterWebServer", dependencies: ["TwisterProtocols", "TwisterHTTP", "CTwisterShim"],
                path: "Sources/Web/Server", swiftSettings: swiftSettings),
        // The HTTP client: Agent, connection pool, client protocol, response parser, fetch.
        .target(name: "TwisterHTTPClient", dependencies: ["TwisterProtocols", "TwisterHTTP"],
                path: "Sources/Web/Client", swiftSettings: swiftSettings),
        // Tornado's web framework on the server; the only web module that uses the templates.
        .target(name: "TwisterTornado", dependencies: ["TwisterProtocols", "TwisterHTTP", "TwisterWebServer", "TwisterTemplates"],
                path: "Sources/Web/Tornado", swiftSettings: swiftSettings),
        // The umbrella: `import TwisterWeb` re-exports the four above.
        .target(name: "TwisterWeb", dependencies: ["TwisterProtocols", "TwisterHTTP", "TwisterWebServer", "TwisterHTTPClient",
                                                   "TwisterTornado", "TwisterTemplates"],
                path: "Sources/Web/TwisterWeb", swiftSettings: swiftSettings),
        .executableTarget(name: "twister", dependencies: ["TwisterDeferred", "TwisterProtocols", "TwisterWeb"],
                          path: "Sources/twister", swiftSettings: swiftSettings),
        .testTarget(name: "DeferredTests", dependencies: ["TwisterDeferred"], swiftSettings: swiftSettings),
        .testTarget(name: "ProtocolsTests", dependencies: ["TwisterProtocols", "TwisterTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TemplatesTests", dependencies: ["TwisterTemplates"], swiftSettings: swiftSettings),
        // Web tests mirror the web modules: each `@testable import`s its module (the umbrella for the rest).
        .testTarget(name: "HTTPTests", dependencies: ["TwisterHTTP", "TwisterProtocols"], swiftSettings: swiftSettings),
        .testTarget(name: "WebServerTests", dependencies: ["TwisterWebServer", "TwisterWeb", "TwisterTesting", "CZlib"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "HTTPClientTests", dependencies: ["TwisterHTTPClient", "TwisterWeb", "TwisterTesting", "CZlib"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TornadoTests", dependencies: ["TwisterTornado", "TwisterWeb", "TwisterTesting"],
                    swiftSettings: swiftSettings),
    ]
)
