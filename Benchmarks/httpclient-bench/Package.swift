// swift-tools-version: 6.1
// Keep-alive GET requests/s against nginx: Twister's Agent vs SwiftNIO's AsyncHTTPClient vs Twisted's Agent.
import PackageDescription

let package = Package(
    name: "httpclient-bench",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Twister", path: "../.."),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "httpclient-bench",
            dependencies: [
                .product(name: "TwisterWeb", package: "Twister"),
                .product(name: "TwisterProtocols", package: "Twister"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
