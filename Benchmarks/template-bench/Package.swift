// swift-tools-version: 6.1
// Template rendering benchmark: Twister's template engine on the 100-row table in table.html.
// Kept out of the library package; run with ./run.sh (builds with -c release).
import Foundation
import PackageDescription

// A path dependency's identity is its directory name (a worktree may not be called "Twister").
let twister = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "template-bench",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "TemplateBench",
            dependencies: [.product(name: "TwisterTemplates", package: twister)],
            path: "Sources/TemplateBench",
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
