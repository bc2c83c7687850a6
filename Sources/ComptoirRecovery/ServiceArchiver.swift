import ComptoirContracts
import ComptoirKit
import Foundation
import Logging

/// Makes one service's archive: its database copy, then its blobs, then its data-directory files.
///
/// The database is copied first: a blob is stored before the row that refers to it and deleted
/// after, so every blob the copy refers to still exists when the blobs are read.
struct ServiceArchiver {
    let service: ServiceID
    let configuration: ComptoirConfiguration
    let blobs: any BlobStore
    let key: ArchiveKey?
    let progress: RecoveryProgress
    let logger: Logger

    static func archiveName(_ service: ServiceID, encrypted: Bool) -> String {
        service.rawValue + (encrypted ? ".tar.enc" : ".tar")
    }

    /// A blob's entry in `blobs.json`.
    struct BlobEntry: Codable {
        var key: String
        var contentType: String
    }

    func archive(into staging: URL) async throws -> (file: URL, entry: BackupManifest.ServiceBackup) {
        let started = Date()
        let parts = staging.appendingPathComponent(service.rawValue + ".parts")
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parts) }
        let copy = DatabaseCopy(service: service, configuration: configuration, logger: logger)
        let (database, facts) = try await copy.copy(into: parts)
        let dialect: ServiceDatabase.Dialect = copy.isSQLite ? .sqlite : .postgres
        progress.say("\(service): database copied (\(facts.tables.values.reduce(0, +)) rows in \(facts.tables.count) tables)")

        let name = Self.archiveName(service, encrypted: key != nil)
        let file = staging.appendingPathComponent(name)
        let fileSink = try FileSink(creating: file)
        let tar = TarWriter(sink: try key.map { try EncryptingSink(base: fileSink, key: $0) } ?? fileSink)
        try tar.add(DatabaseCopy.partName(dialect), file: database)
        try FileManager.default.removeItem(at: database)

        var entries: [BlobEntry] = []
        var blobBytes: Int64 = 0
        let keys = try await blobs.keys()
        for (index, blobKey) in keys.enumerated() {
            // Gone since it was listed: deleted after its row, so the copy does not refer to it.
            guard let download = try await blobs.get(blobKey) else { continue }
            let temporary = parts.appendingPathComponent("blob")
            blobBytes += try await FileChunks.write(download.body, to: temporary)
            try tar.add("blobs/" + blobKey, file: temporary)
            try FileManager.default.removeItem(at: temporary)
            entries.append(BlobEntry(key: blobKey, contentType: download.contentType))
            if (index + 1) % 200 == 0 { progress.say("\(service): \(index + 1) of \(keys.count) blobs") }
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try tar.add("blobs.json", data: try encoder.encode(entries))
        for extra in DataDirectoryFiles.files(of: service, in: configuration.dataDirectory) { try tar.add(extra.name, file: extra.file) }
        let (size, sha256) = try tar.finish()
        progress.say("\(service): \(name) \(RecoveryProgress.bytes(size)) (\(entries.count) blobs, \(RecoveryProgress.bytes(blobBytes)))")
        let entry = BackupManifest.ServiceBackup(
            service: service.rawValue,
            archive: name,
            archiveSize: size,
            archiveSha256: sha256,
            startedAt: started,
            finishedAt: Date(),
            migrations: facts.migrations,
            tables: facts.tables,
            outbox: facts.outbox,
            inbox: facts.inbox,
            parts: tar.parts
        )
        return (file, entry)
    }
}
