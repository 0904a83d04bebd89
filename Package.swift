// swift-tools-version:6.0
import PackageDescription

// An import a file needs must be its own (MemberImportVisibility), and a module re-exports
// another only where its public API says so (InternalImportsByDefault), as Hummingbird does.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "gongkai",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gongkai", targets: ["gongkai"]),
        .library(name: "GongkaiCore", targets: ["GongkaiCore"]),
        .library(name: "GongkaiStore", targets: ["GongkaiStore"]),
        .library(name: "GongkaiStoreContract", targets: ["GongkaiStoreContract"]),
        .library(name: "GongkaiChannels", targets: ["GongkaiChannels"]),
        .library(name: "GongkaiSync", targets: ["GongkaiSync"]),
        .library(name: "GongkaiSimulators", targets: ["GongkaiSimulators"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Only the TLS test's self-signed certificate; async-http-client builds it anyway.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // The working-day calendar's years are compiled in, so that the binary carries them anywhere.
        .target(
            name: "GongkaiCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            resources: [.embedInCode("Calendar")],
            swiftSettings: swiftSettings
        ),
        // Process-wide SQLite settings; a C shim because sqlite3_config is variadic.
        .target(
            name: "CSQLiteTuning",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "GongkaiStore",
            dependencies: [
                "GongkaiCore", "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The store contract as a library: every backend's test target runs all of it.
        .target(
            name: "GongkaiStoreContract",
            dependencies: ["GongkaiCore", "GongkaiStore"],
            swiftSettings: swiftSettings
        ),
        // Test helpers that start real parts (a throwaway PostgreSQL cluster).
        .target(
            name: "GongkaiTestSupport",
            dependencies: [
                "GongkaiStore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GongkaiChannels",
            dependencies: [
                "GongkaiCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GongkaiSync",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GongkaiSimulators",
            dependencies: [
                "GongkaiCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What auditors read: reconciliation, deadline status, the annual report. GRDB for the
        // temporary file a channel's listing is spilled to while it is compared.
        .target(
            name: "GongkaiAudit",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What monitoring reads: the Prometheus registry and its text, the gauges kept from
        // the store, and the JSON log format. No simulators, so the HTTP server can depend on it.
        .target(
            name: "GongkaiMonitoring",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiAudit",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The use cases the CLI and the HTTP API both call, settings, and the composition
        // root that opens the store and builds the daemon's ServiceGroup. No simulators.
        .target(
            name: "GongkaiService",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels", "GongkaiSync", "GongkaiAudit", "GongkaiMonitoring",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP: API v1, bearer tokens, /healthz and /readyz, the console (Hummingbird 2).
        .target(
            name: "GongkaiServer",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels", "GongkaiAudit", "GongkaiService", "GongkaiMonitoring",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The console's templates are compiled in for the same reason as openapi.yaml.
            resources: [.embedInCode("openapi.yaml"), .embedInCode("Console/Templates")],
            swiftSettings: swiftSettings
        ),
        // The demo and the benchmark: the whole outbox against the simulators.
        .target(
            name: "GongkaiDemo",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels", "GongkaiSync", "GongkaiAudit", "GongkaiService",
                "GongkaiMonitoring", "GongkaiSimulators", "GongkaiServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Argument parsing and terminal rendering only.
        .executableTarget(
            name: "gongkai",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels", "GongkaiAudit", "GongkaiService", "GongkaiDemo",
                "GongkaiServer", "GongkaiMonitoring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiCoreTests",
            dependencies: ["GongkaiCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiStoreTests",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiStoreContract", "GongkaiTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiSimulatorsTests",
            dependencies: [
                "GongkaiSimulators", "GongkaiCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiChannelsTests",
            dependencies: [
                "GongkaiCore", "GongkaiChannels", "GongkaiSimulators",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiCLITests",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiSimulators", "GongkaiTestSupport", "GongkaiServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiServerTests",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels", "GongkaiService", "GongkaiServer", "GongkaiAudit",
                "GongkaiStoreContract", "GongkaiTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiSyncTests",
            dependencies: [
                "GongkaiCore", "GongkaiStore", "GongkaiChannels", "GongkaiSync", "GongkaiSimulators", "GongkaiAudit",
                "GongkaiService", "GongkaiDemo", "GongkaiMonitoring", "GongkaiServer", "GongkaiTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
