import ComptoirAdapters
import ComptoirKit
import Foundation
import S3

/// Opens the storage a `--to` or `--from` names: `s3://bucket/prefix` through the platform's S3
/// endpoint and credentials (`COMPTOIR_S3_*`), anything else a folder.
enum BackupLocation {
    static func open(_ text: String, configuration: ComptoirConfiguration, creating: Bool) async throws -> any BackupStorage {
        guard text.hasPrefix("s3://") else {
            let root = URL(fileURLWithPath: text, isDirectory: true).standardizedFileURL
            if creating { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw RecoveryError("\(root.path) is not a folder of backups")
            }
            return DirectoryBackupStorage(root: root)
        }
        let path = text.dropFirst("s3://".count).split(separator: "/", omittingEmptySubsequences: true)
        guard let bucket = path.first.map(String.init), !bucket.isEmpty else {
            throw RecoveryError("\(text): an S3 location is s3://bucket[/prefix]")
        }
        guard let settings = try S3Settings(environment: configuration.environment) else {
            throw RecoveryError("\(text): an S3 location needs COMPTOIR_S3_ENDPOINT, COMPTOIR_S3_ACCESS_KEY and COMPTOIR_S3_SECRET_KEY")
        }
        let storage = S3BackupStorage(
            client: S3Client(configuration: settings.client),
            bucket: bucket,
            prefix: path.dropFirst().joined(separator: "/")
        )
        if creating { try await storage.prepare() }
        return storage
    }
}
