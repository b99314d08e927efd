// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Spotter. A package of its own so that `swift build` of the project is
// unaffected; build and run them with `scripts/fuzz.sh`, which adds `-sanitize=fuzzer,address`.
// Each target's @main hands the process to libFuzzer's driver (`LLVMFuzzerRunDriver`).

let package = Package(
    name: "SpotterFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Spotter", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CLibFuzzer",
                .product(name: "SpotterCore", package: "Spotter"),
                .product(name: "SpotterApp", package: "Spotter"),
                .product(name: "SpotterStore", package: "Spotter"),
                .product(name: "SpotterHTTP", package: "Spotter"),
                .product(name: "SpotterMatrix", package: "Spotter"),
                .product(name: "SpotterBridge", package: "Spotter"),
                .product(name: "SpotterServer", package: "Spotter"),
                .product(name: "SpotterWebhook", package: "Spotter"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .executableTarget(
            name: "FuzzUnderstanding",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterApp", package: "Spotter"),
                           .product(name: "SpotterAdvisor", package: "Spotter"),
                           .product(name: "SpotterUnderstanding", package: "Spotter")]),
        .executableTarget(
            name: "FuzzCheckIn",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterDialog", package: "Spotter"),
                           .product(name: "SpotterUnderstanding", package: "Spotter")]),
        .executableTarget(
            name: "FuzzSetLog",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterApp", package: "Spotter"),
                           .product(name: "SpotterDialog", package: "Spotter"),
                           .product(name: "SpotterUnderstanding", package: "Spotter")]),
        .executableTarget(
            name: "FuzzRules",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterRules", package: "Spotter"),
                           .product(name: "SpotterAdvisor", package: "Spotter"),
                           .product(name: "SpotterApp", package: "Spotter")]),
        .executableTarget(
            name: "FuzzSnapshot",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterRules", package: "Spotter"),
                           .product(name: "SpotterUnderstanding", package: "Spotter"),
                           .product(name: "SpotterApp", package: "Spotter")]),
        .executableTarget(
            name: "FuzzTransaction",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterBridge", package: "Spotter")]),
        .executableTarget(
            name: "FuzzRoom",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterGroup", package: "Spotter"),
                           .product(name: "SpotterMatrix", package: "Spotter")]),
        .executableTarget(
            name: "FuzzWebhook",
            dependencies: ["FuzzSupport", .product(name: "SpotterCore", package: "Spotter"),
                           .product(name: "SpotterBridge", package: "Spotter"),
                           .product(name: "SpotterWebhook", package: "Spotter"),
                           .product(name: "HTTPTypes", package: "swift-http-types")]),
    ]
)
