// swift-tools-version: 6.1
import PackageDescription

/// The package of each product the targets import; a target lists the modules it imports and
/// `uses` turns them into dependencies (scripts/module-check holds every import to this list).
let productPackages: [String: String] = [
    "AsyncHTTPClient": "async-http-client",
    "AsyncKit": "async-kit",
    "FluentKit": "fluent-kit",
    "FluentSQL": "fluent-kit",
    "FluentPostgresDriver": "fluent-postgres-driver",
    "FluentSQLiteDriver": "fluent-sqlite-driver",
    "Hummingbird": "hummingbird",
    "HummingbirdCore": "hummingbird",
    "HummingbirdTLS": "hummingbird",
    "HummingbirdTesting": "hummingbird",
    "HummingbirdBcrypt": "hummingbird-auth",
    "JWTKit": "jwt-kit",
    "PostgresKit": "postgres-kit",
    "SQLKit": "sql-kit",
    "ArgumentParser": "swift-argument-parser",
    "Crypto": "swift-crypto",
    "HTTPTypes": "swift-http-types",
    "Logging": "swift-log",
    "CoreMetrics": "swift-metrics",
    "Mustache": "swift-mustache",
    "NIOConcurrencyHelpers": "swift-nio",
    "NIOCore": "swift-nio",
    "NIOEmbedded": "swift-nio",
    "NIOFoundationCompat": "swift-nio",
    "NIOFoundationEssentialsCompat": "swift-nio",
    "NIOHTTP1": "swift-nio",
    "NIOPosix": "swift-nio",
    "NIOTLS": "swift-nio",
    "NIOHTTPTypes": "swift-nio-extras",
    "NIOSSL": "swift-nio-ssl",
    "Prometheus": "swift-prometheus",
    "ServiceLifecycle": "swift-service-lifecycle",
    "UnixSignals": "swift-service-lifecycle",
    "Tracing": "swift-distributed-tracing",
    "Instrumentation": "swift-distributed-tracing",
    "ServiceContextModule": "swift-service-context",
    "OTel": "swift-otel",
]

/// Dependencies by module name: a product of ``productPackages``, otherwise a target of this package.
func uses(_ modules: String...) -> [Target.Dependency] {
    modules.map { module in productPackages[module].map { .product(name: module, package: $0) } ?? .target(name: module) }
}

let package = Package(
    name: "Comptoir",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "comptoir", targets: ["comptoir"]),
        .library(name: "ComptoirKit", targets: ["ComptoirKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.1.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-service-context.git", from: "1.5.1"),
        // OTLP over HTTP only: the default traits would build gRPC as well.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(name: "Redis", dependencies: uses("Crypto", "Logging", "NIOCore", "NIOPosix")),
        .target(name: "AMQP", dependencies: uses("Logging", "NIOCore", "NIOPosix")),
        .target(name: "S3", dependencies: uses("AsyncHTTPClient", "Crypto", "Logging", "NIOCore", "NIOFoundationCompat", "NIOHTTP1")),
        .target(name: "SMTP", dependencies: uses("Logging", "NIOCore", "NIOPosix", "NIOSSL", "NIOTLS")),
        .target(name: "ComptoirContracts"),
        .target(
            name: "ComptoirKit",
            dependencies: uses(
                "ComptoirContracts",
                "AsyncHTTPClient",
                "AsyncKit",
                "CoreMetrics",
                "Crypto",
                "FluentKit",
                "FluentPostgresDriver",
                "FluentSQLiteDriver",
                "HTTPTypes",
                "Hummingbird",
                "HummingbirdCore",
                "Instrumentation",
                "JWTKit",
                "Logging",
                "NIOConcurrencyHelpers",
                "NIOCore",
                "NIOFoundationEssentialsCompat",
                "NIOHTTP1",
                "NIOHTTPTypes",
                "NIOPosix",
                "PostgresKit",
                "Prometheus",
                "ServiceContextModule",
                "ServiceLifecycle",
                "SQLKit",
                "Tracing"
            )
        ),
        .target(
            name: "ComptoirAdapters",
            dependencies: uses(
                "AMQP",
                "ComptoirContracts",
                "ComptoirKit",
                "Redis",
                "S3",
                "SMTP",
                "AsyncHTTPClient",
                "CoreMetrics",
                "Logging",
                "NIOCore",
                "NIOFoundationCompat",
                "NIOPosix",
                "NIOSSL",
                "OTel",
                "ServiceLifecycle"
            )
        ),
        .target(
            name: "AuthService",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "CoreMetrics",
                "Crypto",
                "FluentKit",
                "Hummingbird",
                "HummingbirdBcrypt",
                "Logging",
                "NIOPosix",
                "SQLKit"
            )
        ),
        .target(name: "WebsitesService", dependencies: uses("ComptoirContracts", "ComptoirKit", "FluentKit", "Hummingbird")),
        .target(name: "AddressesService", dependencies: uses("ComptoirContracts", "ComptoirKit", "FluentKit", "Hummingbird", "SQLKit")),
        .target(
            name: "ProductsService",
            dependencies: uses("ComptoirContracts", "ComptoirKit", "FluentKit", "FluentSQL", "Hummingbird", "NIOCore", "SQLKit")
        ),
        .target(name: "BasketsService", dependencies: uses("ComptoirContracts", "ComptoirKit", "FluentKit", "Hummingbird")),
        .target(
            name: "OrdersService",
            dependencies: uses("ComptoirContracts", "ComptoirKit", "CoreMetrics", "FluentKit", "HTTPTypes", "Hummingbird", "SQLKit")
        ),
        .target(name: "DeliveriesService", dependencies: uses("ComptoirContracts", "ComptoirKit", "FluentKit", "Hummingbird", "SQLKit")),
        .target(
            name: "NewslettersService",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "CoreMetrics",
                "FluentKit",
                "HTTPTypes",
                "Hummingbird",
                "Mustache",
                "NIOCore",
                "ServiceLifecycle",
                "SQLKit"
            )
        ),
        .target(name: "QuestionsService", dependencies: uses("ComptoirContracts", "ComptoirKit", "FluentKit", "FluentSQL", "Hummingbird", "SQLKit")),
        .target(name: "ContactsService", dependencies: uses("ComptoirContracts", "ComptoirKit", "CoreMetrics", "FluentKit", "Hummingbird", "SQLKit")),
        .target(
            name: "SavService",
            dependencies: uses("ComptoirContracts", "ComptoirKit", "FluentKit", "HTTPTypes", "Hummingbird", "NIOCore", "SQLKit")
        ),
        .target(
            name: "Gateway",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "AsyncHTTPClient",
                "CoreMetrics",
                "HTTPTypes",
                "Hummingbird",
                "HummingbirdCore",
                "HummingbirdTLS",
                "Logging",
                "NIOConcurrencyHelpers",
                "NIOCore",
                "NIOFoundationEssentialsCompat",
                "NIOHTTP1",
                "NIOSSL",
                "ServiceLifecycle",
                "Tracing"
            ),
            resources: [.copy("Storefront"), .copy("Admin")]
        ),
        .target(
            name: "ComptoirPlatform",
            dependencies: uses(
                "AddressesService",
                "AuthService",
                "BasketsService",
                "ComptoirAdapters",
                "ComptoirContracts",
                "ComptoirKit",
                "ContactsService",
                "DeliveriesService",
                "Gateway",
                "NewslettersService",
                "OrdersService",
                "ProductsService",
                "QuestionsService",
                "SavService",
                "WebsitesService",
                "Hummingbird",
                "Logging",
                "NIOCore",
                "ServiceLifecycle"
            )
        ),
        .target(
            name: "ComptoirRecovery",
            dependencies: uses(
                "ComptoirAdapters",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirPlatform",
                "S3",
                "AsyncHTTPClient",
                "Crypto",
                "FluentKit",
                "Logging",
                "NIOCore",
                "SQLKit"
            )
        ),
        .executableTarget(
            name: "comptoir",
            dependencies: uses(
                "AuthService",
                "ComptoirAdapters",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirPlatform",
                "ComptoirRecovery",
                "Gateway",
                "ArgumentParser",
                "Hummingbird",
                "Logging",
                "ServiceLifecycle",
                "UnixSignals"
            )
        ),
        .target(
            name: "ComptoirTesting",
            dependencies: uses(
                "ComptoirAdapters",
                "ComptoirContracts",
                "ComptoirKit",
                "HTTPTypes",
                "Hummingbird",
                "HummingbirdTesting",
                "Logging",
                "NIOCore",
                "SQLKit"
            ),
            path: "Tests/ComptoirTesting"
        ),
        .testTarget(name: "AMQPTests", dependencies: uses("AMQP", "Logging", "NIOCore", "NIOEmbedded")),
        .testTarget(name: "SMTPTests", dependencies: uses("SMTP", "NIOCore", "NIOPosix", "NIOSSL")),
        .testTarget(name: "S3Tests", dependencies: uses("S3", "AsyncHTTPClient", "Crypto", "Logging", "NIOCore", "NIOHTTP1", "NIOPosix")),
        .testTarget(name: "RedisTests", dependencies: uses("Redis", "Logging", "NIOCore")),
        .testTarget(
            name: "ComptoirKitTests",
            dependencies: uses(
                "AMQP",
                "ComptoirAdapters",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "Redis",
                "AsyncHTTPClient",
                "AsyncKit",
                "Crypto",
                "FluentKit",
                "HTTPTypes",
                "Hummingbird",
                "HummingbirdTesting",
                "JWTKit",
                "Logging",
                "NIOConcurrencyHelpers",
                "NIOCore",
                "NIOHTTP1",
                "SQLKit"
            )
        ),
        .testTarget(
            name: "AuthServiceTests",
            dependencies: uses(
                "AuthService",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "FluentKit",
                "HTTPTypes",
                "Hummingbird",
                "HummingbirdTesting",
                "SQLKit"
            )
        ),
        .testTarget(
            name: "WebsitesServiceTests",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "WebsitesService",
                "FluentKit",
                "HTTPTypes",
                "HummingbirdTesting"
            )
        ),
        .testTarget(
            name: "AddressesServiceTests",
            dependencies: uses("AddressesService", "ComptoirKit", "ComptoirTesting", "HTTPTypes", "HummingbirdTesting")
        ),
        .testTarget(
            name: "ProductsServiceTests",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "ProductsService",
                "FluentKit",
                "HTTPTypes",
                "HummingbirdTesting",
                "NIOCore"
            )
        ),
        .testTarget(
            name: "BasketsServiceTests",
            dependencies: uses(
                "BasketsService",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "ProductsService",
                "Crypto",
                "HTTPTypes",
                "HummingbirdTesting",
                "SQLKit"
            )
        ),
        .testTarget(
            name: "DeliveriesServiceTests",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "DeliveriesService",
                "HTTPTypes",
                "HummingbirdTesting",
                "NIOCore"
            )
        ),
        .testTarget(
            name: "NewslettersServiceTests",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "NewslettersService",
                "Crypto",
                "FluentKit",
                "HTTPTypes",
                "HummingbirdTesting",
                "NIOCore"
            )
        ),
        .testTarget(
            name: "ContactsServiceTests",
            dependencies: uses(
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "ContactsService",
                "FluentKit",
                "HTTPTypes",
                "HummingbirdTesting"
            )
        ),
        .testTarget(
            name: "QuestionsServiceTests",
            dependencies: uses("ComptoirContracts", "ComptoirKit", "ComptoirTesting", "QuestionsService", "HTTPTypes", "HummingbirdTesting")
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: uses(
                "ComptoirAdapters",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirPlatform",
                "ComptoirTesting",
                "Gateway",
                "AsyncHTTPClient",
                "HTTPTypes",
                "Hummingbird",
                "Logging",
                "NIOCore",
                "NIOHTTP1",
                "NIOPosix",
                "ServiceLifecycle"
            )
        ),
        .testTarget(
            name: "ComptoirRecoveryTests",
            dependencies: uses(
                "ComptoirAdapters",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirPlatform",
                "ComptoirRecovery",
                "ComptoirTesting",
                "OrdersService",
                "Crypto",
                "FluentKit",
                "Logging",
                "NIOCore",
                "SQLKit"
            )
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: uses(
                "AuthService",
                "ComptoirContracts",
                "ComptoirKit",
                "ComptoirTesting",
                "Gateway",
                "WebsitesService",
                "AsyncHTTPClient",
                "HTTPTypes",
                "Hummingbird",
                "HummingbirdTesting",
                "NIOCore",
                "NIOHTTP1",
                "NIOPosix",
                "NIOSSL"
            )
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Every file imports the modules whose members it uses (not only their types), and says `any`
// for an existential: what a reader of one file needs to know about its dependencies.
for target in package.targets {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility"), .enableUpcomingFeature("ExistentialAny")]
}
