import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import ComptoirPlatform
import ComptoirTesting
import Crypto
import Foundation
import Logging
import NIOCore
import SQLKit
import Testing

@testable import ComptoirRecovery

/// A products service with the demo catalog (rows, and images in its blob store), closed again:
/// data to back up, on SQLite or on the run's PostgreSQL server, and what to compare after a restore.
struct RecoveryShop {
    let configuration: ComptoirConfiguration
    let directory: URL

    static let logger: Logger = {
        var logger = Logger(label: "recovery-test")
        logger.logLevel = .critical
        return logger
    }()

    /// A new data directory (and database prefix on the run's server) with nothing in it; with
    /// `s3`, blobs in a bucket of its own on the run's S3 server.
    static func empty(s3: Bool = false) throws -> RecoveryShop {
        let directory = try TestPlatform.temporaryDirectory()
        let variables = s3 ? TestPlatform.variables(cluster: true).filter { $0.key.hasPrefix("COMPTOIR_S3_") } : [:]
        return RecoveryShop(configuration: try TestPlatform.configuration(dataDirectory: directory, environment: variables), directory: directory)
    }

    /// The products' blob store: files, or the shop's bucket.
    func blobs() async throws -> any BlobStore {
        let adapters = try ConfiguredAdapters(configuration: configuration, bus: InProcessEventBus(), logger: Self.logger)
        return try await adapters.blobStore(for: .products, logger: Self.logger)
    }

    /// A backup location beside the shop: a folder, or a bucket named after the shop's.
    func backupLocation() throws -> String {
        guard let bucket = configuration.environment.string("COMPTOIR_S3_BUCKET") else { return try TestPlatform.temporaryDirectory().path }
        return "s3://\(bucket)-sets/comptoir"
    }

    /// A shop whose products service holds the demo catalog.
    static func withCatalog(s3: Bool = false) async throws -> RecoveryShop {
        let shop = try empty(s3: s3)
        let platform = try await PlatformResources.configured(shop.configuration, hostsAuth: true, logger: logger)
        let type = try requireType(ServiceCatalog.type(of: .products))
        let host = try await ServiceHost.make(type, platform: platform, loadDemoData: true)
        await host.environment.database.shutdown()
        await platform.shutdown()
        return shop
    }

    /// The products' names, prices and stock, and every blob's SHA-256: what a restore must bring back.
    func fingerprint() async throws -> [String] {
        let database = try await ServiceDatabase(service: .products, configuration: configuration, logger: Self.logger)
        let rows = try await DatabaseCopy.using(database) { database in
            try await database.sql.raw("SELECT sku, name, price, stock FROM products ORDER BY sku").all().map { row in
                "\(try row.decode(column: "sku", as: String.self)) \(try row.decode(column: "name", as: String.self)) "
                    + "\(try row.decode(column: "price", as: Int.self)) \(try row.decode(column: "stock", as: Int.self))"
            }
        }
        let blobs = try await blobs()
        var hashes: [String] = []
        for key in try await blobs.keys() {
            var hash = SHA256()
            if let download = try await blobs.get(key) { for try await chunk in download.body { hash.update(data: Data(chunk.readableBytesView)) } }
            hashes.append("\(key) \(hash.finalize().hex)")
        }
        return rows + hashes
    }

    /// Whether anything of products is here: its database's tables, or a blob.
    func holdsProducts() async throws -> Bool {
        let restore = ServiceRestore(service: .products, entry: Self.emptyEntry, configuration: configuration, logger: Self.logger)
        return try await restore.occupied(blobs: try await blobs()) != nil
    }

    static let emptyEntry = BackupManifest.ServiceBackup(
        service: "products",
        archive: "",
        archiveSize: 0,
        archiveSha256: "",
        startedAt: Date(),
        finishedAt: Date(),
        migrations: [],
        tables: [:],
        outbox: .init(total: 0, unsent: 0),
        inbox: .init(total: 0),
        parts: []
    )

    func backup(to location: String, key: ArchiveKey? = nil) async throws -> BackupManifest {
        try await BackupRunner(
            configuration: configuration,
            location: location,
            services: [.products],
            key: key,
            progress: RecoveryProgress(quiet: true),
            logger: Self.logger
        ).run()
    }

    func restore(from location: String, key: ArchiveKey? = nil, replacing: Bool = false) async throws -> RecoveryReport {
        try await Restorer(
            configuration: configuration,
            location: location,
            setID: nil,
            services: [.products],
            key: key,
            replacing: replacing,
            progress: RecoveryProgress(quiet: true),
            logger: Self.logger
        ).run()
    }

    func verify(from location: String, key: ArchiveKey? = nil) async throws -> RecoveryReport {
        try await BackupVerifier(
            configuration: configuration,
            location: location,
            setID: nil,
            key: key,
            progress: RecoveryProgress(quiet: true),
            logger: Self.logger
        ).run()
    }

    /// Rewrites fields of the set's manifest, as an attacker or a damaged disk could.
    static func patchManifest(in set: URL, _ change: (inout [String: Any]) -> Void) throws {
        let file = set.appendingPathComponent("manifest.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        change(&manifest)
        try JSONSerialization.data(withJSONObject: manifest).write(to: file)
    }

    /// Makes the manifest's record of the products archive match the file as it now is, so that
    /// the check of its parts is what finds the damage.
    static func acceptArchive(in set: URL) throws {
        let archive = set.appendingPathComponent("products.tar")
        let (size, sha256) = try ArchiveExtractor.measure(archive)
        try patchManifest(in: set) { manifest in
            var services = manifest["services"] as? [[String: Any]] ?? []
            services[0]["archive_size"] = size
            services[0]["archive_sha256"] = sha256
            manifest["services"] = services
        }
    }
}

/// `#require` for an optional metatype, which the macro does not take directly.
func requireType<T>(_ value: T?) throws -> T {
    guard let value else { throw TestFailure("missing value") }
    return value
}
