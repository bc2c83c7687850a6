import ComptoirContracts
import ComptoirKit
import ComptoirPlatform
import Foundation
import Logging

/// Puts one service's unpacked archive into the databases, blob store and data directory a
/// configuration names: the platform's (`comptoir restore`) or a scratch one (`comptoir backup verify`).
struct ServiceRestore {
    let service: ServiceID
    let entry: BackupManifest.ServiceBackup
    let configuration: ComptoirConfiguration
    let logger: Logger

    var copy: DatabaseCopy { DatabaseCopy(service: service, configuration: configuration, logger: logger) }
    /// Where ``ArchiveExtractor`` unpacked the archive's parts under `folder`.
    func parts(_ folder: URL) -> URL { folder.appendingPathComponent("parts") }

    /// Why the target cannot be restored over without `--force`, or `nil` when it is empty.
    func occupied(blobs: any BlobStore) async throws -> String? {
        var found: [String] = []
        if try await copy.targetHoldsData() { found.append("its database has tables") }
        let keys = try await blobs.keys()
        if !keys.isEmpty { found.append("\(keys.count) blobs") }
        return found.isEmpty ? nil : "\(service) (\(found.joined(separator: ", ")))"
    }

    /// Copies the data-directory files (keys, delivered mail) into place: before the platform's
    /// resources are opened, which would otherwise make new keys.
    func placeDataDirectoryFiles(from folder: URL) throws {
        guard let name = DataDirectoryFiles.folder(of: service) else { return }
        let source = parts(folder).appendingPathComponent(name)
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: source.path) else { return }
        let target = configuration.dataDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for file in files {
            let destination = target.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: destination)
        }
    }

    /// Loads the database at the schema it was copied at, checks its rows against the manifest,
    /// then migrates it forward to this build. Returns rows per table as loaded.
    func restoreDatabase(from folder: URL, platform: PlatformResources, replacing: Bool) async throws -> [String: Int] {
        guard let type = ServiceCatalog.type(of: service) else { throw RecoveryError("\(service) is not part of this build") }
        let counts: [String: Int]
        if copy.isSQLite {
            try copy.placeSQLite(parts(folder).appendingPathComponent(DatabaseCopy.partName(.sqlite)))
            counts = try await copy.facts(ofSQLiteCopyIn: configuration.dataDirectory).tables
        } else {
            if replacing { try await copy.dropPostgresTables() }
            try await ServiceHost.migrate(type, platform: platform, only: entry.migrations)
            counts = try await copy.loadPostgresRows(parts(folder).appendingPathComponent(DatabaseCopy.partName(.postgres)))
        }
        for (table, expected) in entry.tables where table != "_fluent_migrations" {
            // SQLite's full-text shadow tables are rebuilt, not counted.
            guard let loaded = counts[table] else { continue }
            guard loaded == expected else {
                throw RecoveryError("\(service): table \(table) has \(loaded) rows after loading, the backup had \(expected)")
            }
        }
        try await ServiceHost.migrate(type, platform: platform)
        return counts
    }

    /// Puts every blob of the archive into `blobs`; with `replacing`, first removes what is there.
    func restoreBlobs(from folder: URL, into blobs: any BlobStore, replacing: Bool) async throws -> Int {
        if replacing { for key in try await blobs.keys() { try await blobs.delete(key) } }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let index = parts(folder).appendingPathComponent("blobs.json")
        let entries = try decoder.decode([ServiceArchiver.BlobEntry].self, from: Data(contentsOf: index))
        for blob in entries {
            try await blobs.put(
                blob.key,
                contentType: blob.contentType,
                body: FileChunks(url: parts(folder).appendingPathComponent("blobs/" + blob.key))
            )
        }
        return entries.count
    }
}
