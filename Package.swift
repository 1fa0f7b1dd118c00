// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The service modules: each depends on Core only (and on the libraries it alone uses); App wires them.
let modules = ["SSO", "Catalogs", "Forms", "DocStore", "Gateway", "NationalSim"]
let moduleDependencies: [String: [Target.Dependency]] = [
    "SSO": [
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "SQLKit", package: "sql-kit"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
    ],
    "Catalogs": [
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "SQLKit", package: "sql-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
    ],
    "Forms": [
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "SQLKit", package: "sql-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
    ],
    "DocStore": [
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "SQLKit", package: "sql-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "_NIOFileSystem", package: "swift-nio"),
    ],
    "Gateway": [
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "SQLKit", package: "sql-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
    ],
    "NationalSim": [
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ],
]

let package = Package(
    name: "lgsp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lgsp", targets: ["App"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "Core",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "App",
            dependencies: [
                "Core",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ] + modules.map { .target(name: $0) },
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: fresh databases on SQLite or PostgreSQL (LGSP_TEST_DATABASE_URL).
        .target(
            name: "LGSPTesting",
            dependencies: [
                "Core",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tests/LGSPTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CoreTests",
            dependencies: [
                "Core", "LGSPTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Core", "LGSPTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "NationalSim", "SSO", "Catalogs",
            ],
            swiftSettings: swiftSettings
        ),
    ]
        + modules.map { .target(name: $0, dependencies: ["Core"] + (moduleDependencies[$0] ?? []), swiftSettings: swiftSettings) }
        + modules.map {
            .testTarget(
                name: "\($0)Tests",
                dependencies: [.target(name: $0), "Core", "LGSPTesting", .product(name: "HummingbirdTesting", package: "hummingbird")]
                    + (moduleDependencies[$0] ?? []),
                swiftSettings: swiftSettings
            )
        }
)
