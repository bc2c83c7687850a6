import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import Foundation
import Logging

/// `comptoir backup verify`: every checksum of a set, then each service restored into scratch —
/// a folder of SQLite files, or databases `comptoirverify<random>_<service>` on the PostgreSQL
/// server — to prove that the archive opens, that its rows load and that this build's migrations
/// carry it forward. Scratch is removed afterwards; the set gets a `verified.json`.
public struct BackupVerifier {
    let configuration: ComptoirConfiguration
    let location: String
    let setID: String?
    let key: ArchiveKey?
    let progress: RecoveryProgress
    let logger: Logger

    public init(configuration: ComptoirConfiguration, location: String, setID: String?, key: ArchiveKey?, progress: RecoveryProgress, logger: Logger)
    {
        self.configuration = configuration
        self.location = location
        self.setID = setID
        self.key = key
        self.progress = progress
        self.logger = logger
    }

    /// Written next to the manifest once a set has passed.
    struct Verified: Codable {
        var verifiedAt: Date
        var version: String
    }

    public func run() async throws -> RecoveryReport {
        let clock = ContinuousClock.now
        let storage = try await BackupLocation.open(location, configuration: configuration, creating: false)
        let manifest = try await storage.completeSet(setID)
        let extractor = try ArchiveExtractor(storage: storage, manifest: manifest, key: key)
        let suffix = String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(8))
        let scratchFolder = FileManager.default.temporaryDirectory.appendingPathComponent("comptoir-verify-\(manifest.id)-\(suffix)")
        defer { try? FileManager.default.removeItem(at: scratchFolder) }
        // The platform's database server for PostgreSQL sets (under a prefix of its own), and
        // nothing else of its backends: blobs are checked by their checksums, mail and events stay out.
        var variables = configuration.environment.values.filter { name, _ in
            // Every database variable goes, the services' own servers (`COMPTOIR_<ID>_DATABASE_URL`) included.
            !["COMPTOIR_S3_", "COMPTOIR_AMQP_", "COMPTOIR_REDIS_", "COMPTOIR_SMTP_", "COMPTOIR_OTLP_"].contains { name.hasPrefix($0) }
                && !name.contains("DATABASE_")
        }
        if manifest.database != "sqlite" {
            // One server for the scratch databases: COMPTOIR_DATABASE_URL, never a service's own.
            guard let url = configuration.databaseURL else {
                throw RecoveryError(
                    "set \(manifest.id) holds PostgreSQL copies: verifying it needs COMPTOIR_DATABASE_URL (scratch databases are made there)"
                )
            }
            variables["COMPTOIR_DATABASE_URL"] = url.absoluteString
            variables["COMPTOIR_DATABASE_PREFIX"] = "comptoirverify" + suffix
        }
        let scratch = try ComptoirConfiguration(
            environment: EnvironmentReader(variables),
            dataDirectory: scratchFolder.appendingPathComponent("data").path
        )
        progress.say("verify \(manifest.id) from \(storage.location)")
        // Auth's migrations open its service, which needs the signing key (a new one, in scratch).
        let hostsAuth = manifest.services.contains { $0.service == ServiceID.auth.rawValue }
        let platform = try await PlatformResources.configured(scratch, hostsAuth: hostsAuth, bus: InProcessEventBus(), logger: logger)
        var lines: [RecoveryReport.ServiceLine] = []
        var failure: (any Error)?
        for entry in manifest.services {
            let started = ContinuousClock.now
            guard let service = ServiceID(rawValue: entry.service) else {
                failure = RecoveryError("set \(manifest.id) names an unknown service \(entry.service)")
                break
            }
            let restore = ServiceRestore(service: service, entry: entry, configuration: scratch, logger: logger)
            do {
                let folder = scratchFolder.appendingPathComponent(entry.service)
                try await extractor.extract(entry, into: folder)
                let rows = try await restore.restoreDatabase(from: folder, platform: platform, replacing: false)
                try FileManager.default.removeItem(at: folder)
                let seconds = (ContinuousClock.now - started).seconds
                progress.say("\(service): checksums match, \(rows.values.reduce(0, +)) rows load, migrations carry it forward")
                lines.append(.init(service: entry.service, seconds: seconds, bytes: entry.archiveSize, rows: rows.values.reduce(0, +), blobs: nil))
            } catch {
                failure = error
            }
            if scratch.databaseURL(for: service) != nil {
                do {
                    try await ServiceDatabase.drop(service: service, configuration: scratch, logger: logger)
                } catch {
                    let name = scratch.databaseName(for: service)
                    failure = failure ?? RecoveryError("\(service): the scratch database \(name) could not be dropped: \(String(reflecting: error))")
                }
            }
            if failure != nil { break }
        }
        await platform.shutdown()
        if let failure { throw failure }
        try await storage.store(
            try BackupManifest.encoder.encode(Verified(verifiedAt: Date(), version: configuration.build.version)),
            as: "verified.json",
            in: manifest.id
        )
        return RecoveryReport(
            operation: "verify",
            id: manifest.id,
            location: storage.location,
            seconds: (ContinuousClock.now - clock).seconds,
            bytes: manifest.bytes,
            services: lines,
            replayed: nil
        )
    }
}
