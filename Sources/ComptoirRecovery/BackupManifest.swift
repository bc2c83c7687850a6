import Foundation

/// What a backup set holds, written last into `<set>/manifest.json`: a set without one is incomplete.
public struct BackupManifest: Codable, Sendable {
    public static let currentFormat = 1

    public var format: Int
    /// The set's id, its UTC start time (`20261201T023000Z`).
    public var id: String
    public var startedAt: Date
    public var finishedAt: Date
    /// `sqlite` or `postgres`: the database the set was taken from, and the only one it restores into.
    public var database: String
    public var version: String
    public var revision: String
    /// The id of the key the archives are encrypted with, or `nil` when they are not.
    public var keyId: String?
    public var services: [ServiceBackup]

    /// One service's archive.
    public struct ServiceBackup: Codable, Sendable {
        public var service: String
        /// The archive's file name in the set (`orders.tar`, or `orders.tar.enc` when encrypted).
        public var archive: String
        public var archiveSize: Int64
        public var archiveSha256: String
        public var startedAt: Date
        public var finishedAt: Date
        /// The migrations applied to the database when it was copied: its schema version.
        public var migrations: [String]
        /// Rows per table at the copy.
        public var tables: [String: Int]
        public var outbox: OutboxMark
        public var inbox: InboxMark
        public var parts: [Part]
    }

    /// How far the service's outbox had got: events after `lastSentAt` were not in the copy.
    public struct OutboxMark: Codable, Sendable {
        public var total: Int
        public var unsent: Int
        public var lastCreatedAt: Date?
        public var lastSentAt: Date?
    }

    /// How far the service had consumed: events it handled after `lastReceivedAt` are not in the copy.
    public struct InboxMark: Codable, Sendable {
        public var total: Int
        public var lastReceivedAt: Date?
    }

    /// A file inside an archive.
    public struct Part: Codable, Sendable, Equatable {
        public var name: String
        public var size: Int64
        public var sha256: String
    }

    public var bytes: Int64 { services.reduce(0) { $0 + $1.archiveSize } }

    /// RFC 3339 UTC with milliseconds, as the API writes times.
    static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timeStyle.format(date))
        }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = try? timeStyle.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
            }
            return date
        }
        return decoder
    }()

    func encoded() throws -> Data { try Self.encoder.encode(self) }

    static func decode(_ data: Data, set: String) throws -> BackupManifest {
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw RecoveryError("set \(set): manifest.json cannot be read (\(error))")
        }
        guard manifest.format == currentFormat else {
            throw RecoveryError("set \(set): manifest format \(manifest.format) is not one this build reads (\(currentFormat))")
        }
        return manifest
    }
}
