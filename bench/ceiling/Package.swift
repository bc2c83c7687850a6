// swift-tools-version: 6.1
// The ceiling of bench/run: the smallest Hummingbird server that answers a product-shaped JSON
// document, encoded with JSONEncoder on every request. Not part of the comptoir package.
import PackageDescription

let package = Package(
    name: "ceiling",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "Ceiling",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
    ]
)
