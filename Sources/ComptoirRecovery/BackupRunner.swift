import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import Foundation
import Logging

/// `comptoir backup`: one archive per service into a new set, then its manifest.
public struct BackupRunner {
    let configuration: ComptoirConfiguration
    let location: String
    let services: [ServiceID]
    let key: ArchiveKey?
    let progress: RecoveryProgress
    let logger: Logger

    public init(
        configuration: ComptoirConfiguration,
        location: String,
        services: [ServiceID],
        key: ArchiveKey?,
        progress: RecoveryProgress,
        logger: Logger
    ) {
        self.configuration = configuration
        self.location = location
        self.services = services
        self.key = key
        self.progress = progress
        self.logger = logger
    }

    public func run() async throws -> BackupManifest {
        let storage = try await BackupLocation.open(location, configuration: configuration, creating: true)
        let started = Date()
        var id = BackupSetID.make(started)
        // Two runs in one second: the second waits for the next id rather than mixing sets.
        while try await storage.setIDs().contains(id) {
            try await Task.sleep(for: .seconds(1))
            id = BackupSetID.make(Date())
        }
        progress.say("backup \(id) of \(services.map(\.rawValue).joined(separator: ", ")) to \(storage.location)\(key == nil ? "" : " (encrypted)")")
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("comptoir-backup-\(id)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        let adapters = try ConfiguredAdapters(configuration: configuration, bus: InProcessEventBus(), logger: logger)
        var entries: [BackupManifest.ServiceBackup] = []
        do {
            for service in services {
                let blobs = try await adapters.blobStore(for: service, logger: logger)
                let archiver = ServiceArchiver(
                    service: service,
                    configuration: configuration,
                    blobs: blobs,
                    key: key,
                    progress: progress,
                    logger: logger
                )
                let (file, entry) = try await archiver.archive(into: staging)
                try await storage.store(file, as: entry.archive, in: id)
                entries.append(entry)
            }
        } catch {
            await adapters.shutdown()
            throw error
        }
        await adapters.shutdown()
        let manifest = BackupManifest(
            format: BackupManifest.currentFormat,
            id: id,
            startedAt: started,
            finishedAt: Date(),
            database: services.contains { configuration.databaseURL(for: $0) != nil } ? "postgres" : "sqlite",
            version: configuration.build.version,
            revision: configuration.build.revision,
            keyId: key?.id,
            services: entries
        )
        // Last: a set is complete once its manifest is there.
        try await storage.store(try manifest.encoded(), as: "manifest.json", in: id)
        return manifest
    }
}
