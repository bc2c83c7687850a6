import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import Foundation
import Logging

/// `comptoir restore`: a set's services back into the platform's databases, blob stores and data
/// directory. Everything is fetched and checked before anything is written, a target holding data
/// is refused unless `replacing`, and afterwards events sent since the backup are delivered again.
public struct Restorer {
    let configuration: ComptoirConfiguration
    let location: String
    let setID: String?
    let services: [ServiceID]
    let key: ArchiveKey?
    let replacing: Bool
    let replayMargin: Duration
    let progress: RecoveryProgress
    let logger: Logger

    public init(
        configuration: ComptoirConfiguration,
        location: String,
        setID: String?,
        services: [ServiceID],
        key: ArchiveKey?,
        replacing: Bool,
        replayMargin: Duration = .seconds(300),
        progress: RecoveryProgress,
        logger: Logger
    ) {
        self.configuration = configuration
        self.location = location
        self.setID = setID
        self.services = services
        self.key = key
        self.replacing = replacing
        self.replayMargin = replayMargin
        self.progress = progress
        self.logger = logger
    }

    public func run() async throws -> RecoveryReport {
        let clock = ContinuousClock.now
        let storage = try await BackupLocation.open(location, configuration: configuration, creating: false)
        let manifest = try await storage.completeSet(setID)
        let entries = try Self.select(services, from: manifest)
        let extractor = try ArchiveExtractor(storage: storage, manifest: manifest, key: key)
        progress.say("restore \(manifest.id) (\(manifest.startedAt.formatted(.iso8601))) of \(entries.map(\.service).joined(separator: ", "))")

        // No events are published while restoring: the bus stays in the process, RabbitMQ untouched.
        let adapters = try ConfiguredAdapters(configuration: configuration, bus: InProcessEventBus(), logger: logger)
        let restores = try entries.map { entry in
            guard let service = ServiceID(rawValue: entry.service) else {
                throw RecoveryError("set \(manifest.id) names an unknown service \(entry.service)")
            }
            return ServiceRestore(service: service, entry: entry, configuration: configuration, logger: logger)
        }
        for restore in restores where restore.copy.isSQLite != restore.entry.parts.contains(where: { $0.name == DatabaseCopy.partName(.sqlite) }) {
            await adapters.shutdown()
            throw RecoveryError(
                "set \(manifest.id): \(restore.service) was backed up from \(restore.copy.isSQLite ? "PostgreSQL" : "SQLite") "
                    + "and this configuration gives it \(restore.copy.isSQLite ? "SQLite" : "PostgreSQL"): restore into the same kind"
            )
        }
        var occupied: [String] = []
        for restore in restores {
            if let reason = try await restore.occupied(blobs: try await adapters.blobStore(for: restore.service, logger: logger)) {
                occupied.append(reason)
            }
        }
        guard occupied.isEmpty || replacing else {
            await adapters.shutdown()
            throw RecoveryError(
                "refusing to restore over data: \(occupied.joined(separator: "; ")). Stop those services and pass --force to replace it."
            )
        }

        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("comptoir-restore-\(manifest.id)-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: staging) }
        for restore in restores {
            try await extractor.extract(restore.entry, into: staging.appendingPathComponent(restore.service.rawValue))
            progress.say("\(restore.service): \(restore.entry.archive) fetched and checked")
        }
        for restore in restores { try restore.placeDataDirectoryFiles(from: staging.appendingPathComponent(restore.service.rawValue)) }

        // Auth's service needs its signing key: the restored one, placed just above, or the secret's.
        let platform = try await PlatformResources(
            configuration: configuration,
            hostsAuth: restores.contains { $0.service == .auth },
            adapters: adapters,
            logger: logger
        )
        var lines: [RecoveryReport.ServiceLine] = []
        do {
            for restore in restores {
                let started = ContinuousClock.now
                let folder = staging.appendingPathComponent(restore.service.rawValue)
                let rows = try await restore.restoreDatabase(from: folder, platform: platform, replacing: replacing)
                let blobs = try await restore.restoreBlobs(
                    from: folder,
                    into: try await adapters.blobStore(for: restore.service, logger: logger),
                    replacing: replacing
                )
                let seconds = (ContinuousClock.now - started).seconds
                progress.say("\(restore.service): restored \(rows.values.reduce(0, +)) rows and \(blobs) blobs, migrated forward")
                lines.append(
                    .init(
                        service: restore.service.rawValue,
                        seconds: seconds,
                        bytes: restore.entry.archiveSize,
                        rows: rows.values.reduce(0, +),
                        blobs: blobs
                    )
                )
            }
            let since = (restores.map(\.entry.startedAt).min() ?? manifest.startedAt).addingTimeInterval(-replayMargin.seconds)
            let replayed = try await OutboxReplay.rearm(since: since, services: ServiceID.allCases, configuration: configuration, logger: logger)
            progress.say("events sent since \(since.formatted(.iso8601)) queued again: \(replayed.values.reduce(0, +))")
            await platform.shutdown()
            return RecoveryReport(
                operation: "restore",
                id: manifest.id,
                location: storage.location,
                seconds: (ContinuousClock.now - clock).seconds,
                bytes: restores.reduce(0) { $0 + $1.entry.archiveSize },
                services: lines,
                replayed: Dictionary(uniqueKeysWithValues: replayed.map { ($0.key.rawValue, $0.value) })
            )
        } catch {
            await platform.shutdown()
            throw error
        }
    }

    /// The entries of `services` (all when empty), or an error naming those the set lacks.
    static func select(_ services: [ServiceID], from manifest: BackupManifest) throws -> [BackupManifest.ServiceBackup] {
        guard !services.isEmpty else { return manifest.services }
        let missing = services.filter { id in !manifest.services.contains { $0.service == id.rawValue } }
        guard missing.isEmpty else {
            throw RecoveryError("set \(manifest.id) has no archive of \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        return manifest.services.filter { entry in services.contains { $0.rawValue == entry.service } }
    }
}
