// swift-tools-version: 6.1
import PackageDescription

// Dependency direction is one way: spotter → SpotterApp → SpotterAdvisor → SpotterRules →
// SpotterCore, and SpotterApp → SpotterUnderstanding → SpotterCore. Only SpotterApp and the
// executable touch files, the environment or the clock.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Spotter",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "spotter", targets: ["spotter"]),
        .library(name: "SpotterCore", targets: ["SpotterCore"]),
        .library(name: "SpotterRules", targets: ["SpotterRules"]),
        .library(name: "SpotterUnderstanding", targets: ["SpotterUnderstanding"]),
        .library(name: "SpotterAdvisor", targets: ["SpotterAdvisor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .target(name: "SpotterCore", swiftSettings: strictSettings),
        .target(
            name: "SpotterRules",
            dependencies: ["SpotterCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings),
        .target(name: "SpotterUnderstanding", dependencies: ["SpotterCore"], swiftSettings: strictSettings),
        .target(name: "SpotterAdvisor", dependencies: ["SpotterCore", "SpotterRules"], swiftSettings: strictSettings),
        .target(
            name: "SpotterApp",
            dependencies: ["SpotterCore", "SpotterRules", "SpotterUnderstanding", "SpotterAdvisor"],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "spotter",
            dependencies: ["SpotterApp", "SpotterCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),
        .target(
            name: "SpotterTesting",
            dependencies: ["SpotterApp", "SpotterCore", "SpotterRules", .product(name: "Yams", package: "Yams")],
            path: "Tests/SpotterTesting",
            swiftSettings: strictSettings),
        .testTarget(
            name: "SpotterRulesTests",
            dependencies: ["SpotterRules", "SpotterCore", "SpotterApp", "SpotterTesting"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SpotterUnderstandingTests",
            dependencies: ["SpotterUnderstanding", "SpotterCore", "SpotterApp", "SpotterTesting"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SpotterAdvisorTests",
            dependencies: ["SpotterAdvisor", "SpotterCore", "SpotterRules", "SpotterUnderstanding", "SpotterApp", "SpotterTesting",
                           .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SpotterCLITests",
            dependencies: ["SpotterApp", "SpotterTesting"],
            swiftSettings: strictSettings),
    ]
)
