import ComptoirKit
import Foundation

/// `comptoir backup list` and `comptoir backup prune`: the sets of a location, and deleting those
/// a ``RetentionPolicy`` does not keep.
public struct BackupCatalog {
    let configuration: ComptoirConfiguration
    let location: String

    public init(configuration: ComptoirConfiguration, location: String) {
        self.configuration = configuration
        self.location = location
    }

    /// A set, for listing.
    public struct Entry: Codable, Sendable {
        public var id: String
        public var startedAt: Date
        public var complete: Bool
        public var verified: Bool
        public var services: [String]
        public var bytes: Int64
    }

    public func entries() async throws -> [Entry] {
        let storage = try await BackupLocation.open(location, configuration: configuration, creating: false)
        var entries: [Entry] = []
        for id in try await storage.setIDs() {
            guard let date = BackupSetID.date(of: id) else { continue }
            let manifest = try await storage.manifest(of: id)
            let verified = try await storage.read("verified.json", in: id) != nil
            entries.append(
                Entry(
                    id: id,
                    startedAt: date,
                    complete: manifest != nil,
                    verified: verified,
                    services: manifest?.services.map(\.service) ?? [],
                    bytes: manifest?.bytes ?? 0
                )
            )
        }
        return entries
    }

    /// Deletes the sets `policy` does not keep (none with `dryRun`); returns (kept, deleted) ids.
    public func prune(
        _ policy: RetentionPolicy,
        now: Date = Date(),
        dryRun: Bool,
        progress: RecoveryProgress
    ) async throws -> (kept: [String], deleted: [String]) {
        let storage = try await BackupLocation.open(location, configuration: configuration, creating: false)
        let sets = try await entries()
        let kept = policy.kept(sets.map { .init(id: $0.id, date: $0.startedAt, complete: $0.complete, verified: $0.verified) }, now: now)
        var deleted: [String] = []
        for set in sets where !kept.contains(set.id) {
            if !dryRun { try await storage.delete(set: set.id) }
            progress.say("\(dryRun ? "would delete" : "deleted") \(set.id)\(set.complete ? "" : " (incomplete)")")
            deleted.append(set.id)
        }
        return (sets.map(\.id).filter(kept.contains), deleted)
    }
}

extension BackupCatalog {
    /// The entries as a JSON array (`comptoir backup list --json`).
    public static func json(_ entries: [Entry]) throws -> String {
        let encoder = BackupManifest.encoder
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }

    public static func jsonArray(_ ids: [String]) -> String {
        "[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }
}

extension RecoveryReport {
    /// The report of a backup just taken.
    public init(backup manifest: BackupManifest, location: String) {
        self.init(
            operation: "backup",
            id: manifest.id,
            location: location,
            seconds: manifest.finishedAt.timeIntervalSince(manifest.startedAt),
            bytes: manifest.bytes,
            services: manifest.services.map {
                .init(
                    service: $0.service,
                    seconds: $0.finishedAt.timeIntervalSince($0.startedAt),
                    bytes: $0.archiveSize,
                    rows: $0.tables.values.reduce(0, +),
                    blobs: $0.parts.filter { $0.name.hasPrefix("blobs/") }.count
                )
            },
            replayed: nil
        )
    }
}
