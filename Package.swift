// swift-tools-version: 6.1
import PackageDescription

// Where a message goes, and the one-way dependencies (each module depends only on those below it):
//
//   spotter (CLI: chat, ask, import, export, forget)      spotter-server (serve, bench)
//        └─ SpotterCommands ─┐ (opens stores: SQLite, or    ├─ SpotterBench (loopback servers, loads)
//           SpotterPostgres: │  PostgreSQL shared by several instances; migrate, copy-store)
//                            │                              └─ SpotterServer: HTTP (Hummingbird): routes, the hs_token
//                            │                                 middleware, body limits
//                            │                                   └─ SpotterBridge: the application service: journal,
//                            │                                      its loops as services, group coaching, the webhook channel's
//                            │                                      handling, settings, /metrics
//                            │                                        ├─ SpotterMatrix (the protocol: triage, replies,
//                            │                                        │   registration, homeserver client)
//                            │                                        ├─ SpotterWebhook (Standard Webhooks, posting out)
//                            │                                        │   └─ SpotterDelivery (outbox rounds, backoff,
//                            │                                        │       group commit) ─ SpotterHTTP (libcurl)
//                            │                                        └─ SpotterGroup · SpotterSchedule
//                            └──────────── SpotterApp: ChatRuntime (one transaction per batch), config, catalogue
//                                          ├─ SpotterStore (one SQL interface; SQLite through GRDB: migrations, journal, outbox, leases, tables;
//                                          │   on SpotterCore only: conversation state is JSON the dialog writes)
//                                          └─ SpotterDialog (the state machine) ─ SpotterAdvisor (rules → advice, replies)
//                                             ─ SpotterRules (YAML decision tables) · SpotterUnderstanding ─ SpotterCore
//
// A message from Matrix: SpotterServer (route, token) → SpotterBridge (journal, then the worker)
// → SpotterApp's ChatRuntime (understanding, dialog, advice) → the outbox → SpotterDelivery's
// rounds → SpotterMatrix's client. From a webhook: the same, answered in the response and posted
// out through SpotterWebhook.
//
// The pure core (Core, Rules, Understanding, Advisor, Dialog, Group, Schedule) does no I/O and
// reads no clock; SpotterStore does the SQLite I/O, SpotterHTTP the outbound HTTP, SpotterServer
// and the executables the rest.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Spotter",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "spotter", targets: ["spotter"]),
        .executable(name: "spotter-server", targets: ["spotter-server"]),
        .library(name: "SpotterCore", targets: ["SpotterCore"]),
        .library(name: "SpotterRules", targets: ["SpotterRules"]),
        .library(name: "SpotterUnderstanding", targets: ["SpotterUnderstanding"]),
        .library(name: "SpotterAdvisor", targets: ["SpotterAdvisor"]),
        .library(name: "SpotterDialog", targets: ["SpotterDialog"]),
        // For the fuzz targets in Fuzz/, which depend on this package by path.
        .library(name: "SpotterStore", targets: ["SpotterStore"]),
        .library(name: "SpotterPostgres", targets: ["SpotterPostgres"]),
        .library(name: "SpotterHTTP", targets: ["SpotterHTTP"]),
        .library(name: "SpotterWebhook", targets: ["SpotterWebhook"]),
        // Room size and the private-versus-group decision, for the room fuzz target.
        .library(name: "SpotterGroup", targets: ["SpotterGroup"]),
        .library(name: "SpotterApp", targets: ["SpotterApp"]),
        .library(name: "SpotterDelivery", targets: ["SpotterDelivery"]),
        .library(name: "SpotterMatrix", targets: ["SpotterMatrix"]),
        .library(name: "SpotterBridge", targets: ["SpotterBridge"]),
        .library(name: "SpotterServer", targets: ["SpotterServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // postgres-nio's own TLS library (already a dependency of it), for sslmode.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
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
            name: "SpotterDialog",
            dependencies: ["SpotterCore", "SpotterRules", "SpotterUnderstanding", "SpotterAdvisor"],
            swiftSettings: strictSettings),
        .target(
            name: "SpotterStore",
            dependencies: ["SpotterCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings),
        // The store on PostgreSQL (postgres-nio): the same sessions and migrations as SQLite's, shared by instances.
        .target(
            name: "SpotterPostgres",
            dependencies: ["SpotterCore", "SpotterStore",
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SpotterStoreTests",
            dependencies: ["SpotterStore", "SpotterPostgres", "SpotterCore", "SpotterApp", "SpotterTesting"],
            swiftSettings: strictSettings),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "SpotterHTTP", dependencies: ["CCurl"], swiftSettings: strictSettings),
        .target(name: "SpotterSchedule", dependencies: ["SpotterCore"], swiftSettings: strictSettings),
        .testTarget(name: "SpotterScheduleTests", dependencies: ["SpotterSchedule", "SpotterCore", "SpotterTesting"], swiftSettings: strictSettings),
        // Group coaching without I/O: room commands and the counts-only room summary.
        .target(name: "SpotterGroup", dependencies: ["SpotterCore", "SpotterSchedule"], swiftSettings: strictSettings),
        .testTarget(name: "SpotterGroupTests", dependencies: ["SpotterGroup", "SpotterSchedule", "SpotterCore", "SpotterTesting"],
                    swiftSettings: strictSettings),
        .target(
            name: "SpotterWebhook",
            dependencies: ["SpotterCore", "SpotterDelivery", "SpotterHTTP", "SpotterStore",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        // The durable outbox's delivery rounds, behind one outbound-channel protocol; group commit; blocking work.
        .target(
            name: "SpotterDelivery",
            dependencies: ["SpotterCore", "SpotterStore", "SpotterHTTP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        // The Matrix protocol: event triage, reply content, registration, power levels, the homeserver client.
        .target(
            name: "SpotterMatrix",
            dependencies: ["SpotterCore", "SpotterDelivery", "SpotterGroup", "SpotterHTTP", "SpotterRules", "SpotterStore",
                           .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings),
        // The application service between the channels and the coach: journal, worker, group coaching,
        // the webhook channel's handling, settings, metrics.
        .target(
            name: "SpotterBridge",
            dependencies: [
                "SpotterCore", "SpotterApp", "SpotterDelivery", "SpotterMatrix", "SpotterStore", "SpotterHTTP", "SpotterWebhook",
                "SpotterGroup", "SpotterRules", "SpotterSchedule",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings),
        // The HTTP side of `spotter serve` (Hummingbird): routes, the hs_token middleware, limits, the service.
        .target(
            name: "SpotterServer",
            dependencies: [
                "SpotterCore", "SpotterApp", "SpotterBridge", "SpotterDelivery", "SpotterMatrix", "SpotterStore", "SpotterWebhook",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        // Loopback servers and loads for `spotter-server bench`: measurement only, never served.
        .target(
            name: "SpotterBench",
            dependencies: ["SpotterCore", "SpotterHTTP", "SpotterDelivery", "SpotterMatrix", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .target(
            name: "SpotterApp",
            dependencies: ["SpotterCore", "SpotterRules", "SpotterUnderstanding", "SpotterAdvisor", "SpotterDialog", "SpotterStore",
                           "SpotterSchedule"],
            swiftSettings: strictSettings),
        .target(
            name: "SpotterCommands",
            dependencies: ["SpotterApp", "SpotterStore", "SpotterPostgres", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "spotter",
            dependencies: ["SpotterApp", "SpotterAdvisor", "SpotterCommands", "SpotterCore", "SpotterStore",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "spotter-server",
            dependencies: ["SpotterApp", "SpotterCommands", "SpotterCore", "SpotterStore", "SpotterMatrix", "SpotterBridge", "SpotterServer",
                           "SpotterDelivery", "SpotterWebhook", "SpotterHTTP", "SpotterBench",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),
        .target(
            name: "SpotterTesting",
            dependencies: ["SpotterApp", "SpotterCore", "SpotterRules", "SpotterStore", "SpotterPostgres",
                           .product(name: "Yams", package: "Yams")],
            path: "Tests/SpotterTesting",
            swiftSettings: strictSettings),
        .testTarget(name: "SpotterCoreTests", dependencies: ["SpotterCore"], swiftSettings: strictSettings),
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
            name: "SpotterChatTests",
            dependencies: ["SpotterApp", "SpotterCore", "SpotterDialog", "SpotterStore", "SpotterUnderstanding", "SpotterAdvisor",
                           "SpotterTesting"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SpotterMatrixTests",
            dependencies: ["SpotterMatrix", "SpotterBridge", "SpotterServer", "SpotterDelivery", "SpotterApp", "SpotterCore", "SpotterStore",
                           "SpotterHTTP", "SpotterTesting", "SpotterWebhook",
                           "SpotterGroup", "SpotterSchedule", "SpotterDialog", "SpotterPostgres",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "NIOEmbedded", package: "swift-nio"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SpotterCLITests",
            dependencies: ["SpotterApp", "SpotterAdvisor", "SpotterCore", "SpotterRules", "SpotterUnderstanding", "SpotterStore",
                           "SpotterTesting"],
            swiftSettings: strictSettings),
    ]
)
