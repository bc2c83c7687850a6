import Crypto
import Foundation

/// Fetches a set's archives and unpacks them, checking each against the manifest: the archive's
/// size and SHA-256 first (a damaged or truncated file goes no further), then every part's.
struct ArchiveExtractor {
    let storage: any BackupStorage
    let manifest: BackupManifest
    let key: ArchiveKey?

    init(storage: any BackupStorage, manifest: BackupManifest, key: ArchiveKey?) throws {
        if let keyId = manifest.keyId {
            guard let key else { throw RecoveryError("set \(manifest.id) is encrypted (key id \(keyId)): set COMPTOIR_BACKUP_KEY to its key") }
            guard key.id == keyId else {
                throw RecoveryError("set \(manifest.id) was encrypted with key id \(keyId); COMPTOIR_BACKUP_KEY has id \(key.id)")
            }
        }
        self.storage = storage
        self.manifest = manifest
        self.key = key
    }

    /// Unpacks `entry`'s archive into `folder`.
    func extract(_ entry: BackupManifest.ServiceBackup, into folder: URL) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard let file = try await storage.fetch(entry.archive, in: manifest.id, scratch: folder) else {
            throw RecoveryError("set \(manifest.id): \(entry.archive) is missing from \(storage.location)")
        }
        let downloaded = file.path.hasPrefix(folder.path)
        defer { if downloaded { try? FileManager.default.removeItem(at: file) } }
        let (size, sha256) = try Self.measure(file)
        guard size == entry.archiveSize, sha256 == entry.archiveSha256 else {
            throw RecoveryError(
                "set \(manifest.id): \(entry.archive) does not match the manifest (\(size) bytes, expected \(entry.archiveSize); "
                    + "SHA-256 \(sha256 == entry.archiveSha256 ? "matches" : "differs")): the archive is damaged or truncated"
            )
        }
        let source: any ByteSource =
            manifest.keyId != nil
            ? try DecryptingSource(file, key: key!, name: entry.archive)  // trap-checked: init refuses an encrypted set without its key
            : try FileSource(file)
        _ = try TarReader(source: source, name: entry.archive).extract(into: folder.appendingPathComponent("parts"), expecting: entry.parts)
    }

    static func measure(_ file: URL) throws -> (Int64, String) {
        let source = try FileSource(file)
        var hash = SHA256()
        var size: Int64 = 0
        while true {
            let chunk = try source.read(upTo: 1 << 20)
            if chunk.isEmpty { break }
            hash.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (size, hash.finalize().hex)
    }
}
