// swift-tools-version: 6.1
import PackageDescription

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
    ],
    targets: [
        .target(
            name: "Redis",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "AMQP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "S3",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SMTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "ComptoirContracts"),
        .target(
            name: "ComptoirKit",
            dependencies: [
                "ComptoirContracts",
                "AMQP",
                "Redis",
                "S3",
                "SMTP",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AuthService",
            dependencies: [
                "ComptoirKit",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            resources: [.copy("Resources/openapi.json")]
        ),
        .target(name: "WebsitesService", dependencies: ["ComptoirKit"]),
        .target(name: "AddressesService", dependencies: ["ComptoirKit"]),
        .target(name: "ProductsService", dependencies: ["ComptoirKit"]),
        .target(name: "BasketsService", dependencies: ["ComptoirKit"]),
        .target(name: "OrdersService", dependencies: ["ComptoirKit"]),
        .target(name: "DeliveriesService", dependencies: ["ComptoirKit"]),
        .target(
            name: "NewslettersService",
            dependencies: ["ComptoirKit", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(name: "QuestionsService", dependencies: ["ComptoirKit"]),
        .target(name: "ContactsService", dependencies: ["ComptoirKit"]),
        .target(name: "SavService", dependencies: ["ComptoirKit"]),
        .target(name: "Gateway", dependencies: ["ComptoirKit"], resources: [.copy("Storefront")]),
        .target(
            name: "ComptoirPlatform",
            dependencies: [
                "ComptoirKit", "AuthService", "WebsitesService", "AddressesService", "ProductsService", "BasketsService", "OrdersService",
                "DeliveriesService", "NewslettersService", "QuestionsService", "ContactsService", "SavService", "Gateway",
            ]
        ),
        .executableTarget(
            name: "comptoir",
            dependencies: [
                "ComptoirKit", "ComptoirPlatform", "Gateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "ComptoirTesting",
            dependencies: ["ComptoirKit", .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/ComptoirTesting"
        ),
        .testTarget(
            name: "AMQPTests",
            dependencies: ["AMQP", .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SMTPTests",
            dependencies: [
                "SMTP", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "S3Tests",
            dependencies: [
                "S3", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "RedisTests", dependencies: ["Redis", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "ComptoirKitTests",
            dependencies: [
                "ComptoirKit", "ComptoirTesting", "AMQP", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "AuthServiceTests", dependencies: ["AuthService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "WebsitesServiceTests", dependencies: ["WebsitesService", "AuthService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "AddressesServiceTests", dependencies: ["AddressesService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "ProductsServiceTests", dependencies: ["ProductsService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "BasketsServiceTests", dependencies: ["BasketsService", "ProductsService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "DeliveriesServiceTests", dependencies: ["DeliveriesService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "NewslettersServiceTests", dependencies: ["NewslettersService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "ContactsServiceTests", dependencies: ["ContactsService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "QuestionsServiceTests", dependencies: ["QuestionsService", "ComptoirKit", "ComptoirTesting"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ComptoirPlatform", "ComptoirKit", "ComptoirTesting", "Gateway"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "AuthService", "WebsitesService", "ComptoirKit", "ComptoirTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
