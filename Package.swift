// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "podform",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "podform", targets: ["podform"]),
        .library(name: "PodformCore", targets: ["PodformCore"]),
        .library(name: "PodformSizing", targets: ["PodformSizing"]),
        .library(name: "PodformCatalog", targets: ["PodformCatalog"]),
        .library(name: "PodformCompiler", targets: ["PodformCompiler"]),
        .library(name: "PodformKit", targets: ["PodformKit"])
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", exact: "0.27.1"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2")
    ],
    targets: [
        // Pure: (path, text) in, Spec values and diagnostics out.
        .target(name: "PodformCore", dependencies: ["Yams"]),
        // Pure math: architectures, weights, KV cache, vLLM accounting, training memory, performance.
        .target(name: "PodformSizing"),
        // The serving engine (vLLM): its accounting, images, launch arguments, worker env and Dockerfile template.
        .target(name: "PodformEngine", dependencies: ["PodformSizing"]),
        // Data: the GPU and model catalogs (versioned JSON in the package) and their loaders.
        .target(
            name: "PodformCatalog",
            dependencies: ["PodformSizing"],
            resources: [.copy("Resources/gpus.json"), .copy("Resources/models.json")]
        ),
        // The decision engine: spec + catalog -> Plan with a decision trace.
        .target(name: "PodformCompiler", dependencies: ["PodformCore", "PodformSizing", "PodformEngine", "PodformCatalog"]),
        // Pure: a discrete-event simulation of a plan's traffic on RunPod (serverless scaling, vLLM batching, billing).
        // Optimized in debug builds too: the example-claims tests simulate millions of requests.
        .target(
            name: "PodformSimulate", dependencies: ["PodformCompiler", "PodformSizing"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // RunPod REST v2 client: transport seam, URLSession transport, typed errors. Knows nothing of specs.
        .target(name: "RunPodAPI", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // A loopback stand-in for RunPod's API (and the Hub's config.json route) for tests.
        .target(
            name: "PodformTestSupport",
            dependencies: [
                "RunPodAPI", "PodformCatalog", .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox")
            ],
            resources: [.copy("Resources/openapi-v2.json")]
        ),
        .executableTarget(name: "podform-fake-runpod", dependencies: ["PodformTestSupport"]),
        // Mutation fuzzer over the spec loader and validator (RELIABILITY.md).
        .executableTarget(name: "podform-fuzz", dependencies: ["PodformCore"]),
        // Live state, diff (pure) -> ChangeSet, apply (the only effects on RunPod).
        .target(name: "PodformApply", dependencies: ["PodformCore", "PodformSizing", "PodformCompiler", "PodformCatalog", "RunPodAPI"]),
        // The pipeline the CLI, benches and tests share: catalogs, model resolution (Hub), spec files, plan.
        .target(
            name: "PodformKit",
            dependencies: ["PodformCore", "PodformSizing", "PodformCatalog", "PodformCompiler", "PodformEngine", "PodformApply", "RunPodAPI"]),
        // Plan and diagnostics -> text, JSON, Markdown.
        .target(
            name: "PodformRender", dependencies: ["PodformCore", "PodformCompiler", "PodformSizing", "PodformEngine", "RunPodAPI", "PodformApply"]),
        .executableTarget(
            name: "podform",
            dependencies: [
                "PodformCore", "PodformSizing", "PodformCatalog", "PodformCompiler", "PodformRender", "RunPodAPI", "PodformApply", "PodformKit",
                "PodformSimulate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .executableTarget(
            name: "podform-bench",
            dependencies: [
                "PodformCore", "PodformSizing", "PodformCatalog", "PodformCompiler", "PodformApply", "PodformKit", "PodformTestSupport", "RunPodAPI",
                "PodformSimulate"
            ]
        ),
        .testTarget(name: "PodformCoreTests", dependencies: ["PodformCore"], exclude: ["FuzzRegressions"]),
        .testTarget(name: "PodformSizingTests", dependencies: ["PodformSizing", "PodformCatalog"]),
        .testTarget(name: "PodformEngineTests", dependencies: ["PodformEngine"]),
        .testTarget(name: "PodformCatalogTests", dependencies: ["PodformCatalog", "PodformSizing"], exclude: ["Fixtures"]),
        .testTarget(
            name: "PodformCompilerTests",
            dependencies: [
                "PodformCompiler", "PodformApply", "PodformCore", "PodformCatalog", "PodformEngine", "PodformRender", "RunPodAPI",
                "PodformTestSupport"
            ],
            exclude: ["Golden", "Configs"]
        ),
        .testTarget(
            name: "PodformCLITests", dependencies: ["podform", "podform-fake-runpod", "PodformTestSupport", "PodformKit"], exclude: ["Invalid"]),
        .testTarget(
            name: "PodformSimulateTests", dependencies: ["PodformSimulate", "PodformCompiler", "PodformCore", "PodformCatalog", "PodformSizing"]),
        .testTarget(name: "RunPodAPITests", dependencies: ["RunPodAPI", "PodformTestSupport", "PodformCatalog"]),
        .testTarget(
            name: "PodformApplyTests",
            dependencies: ["PodformApply", "PodformCompiler", "PodformCore", "PodformCatalog", "PodformTestSupport", "RunPodAPI"]
        )
    ]
)
