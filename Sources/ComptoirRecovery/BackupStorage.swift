import Foundation

/// Where backup sets live: a folder, or a prefix of an S3 bucket. A set is a folder of files
/// (`<set>/manifest.json`, `<set>/<service>.tar[.enc]`, `<set>/verified.json`).
protocol BackupStorage: Sendable {
    /// The location as the operator wrote it, for messages.
    var location: String { get }
    /// The ids of every set, complete or not, sorted oldest first.
    func setIDs() async throws -> [String]
    /// Stores the local file `file` as `name` in `set`.
    func store(_ file: URL, as name: String, in set: String) async throws
    /// Stores a small file.
    func store(_ data: Data, as name: String, in set: String) async throws
    /// A local file holding `name` of `set` (downloaded into `scratch` when remote), or `nil` when there is none.
    func fetch(_ name: String, in set: String, scratch: URL) async throws -> URL?
    /// A small file's bytes, or `nil` when there is none.
    func read(_ name: String, in set: String) async throws -> Data?
    /// Deletes the set and everything in it.
    func delete(set: String) async throws
}

extension BackupStorage {
    /// The manifest of `set`, or `nil` for an incomplete set.
    func manifest(of set: String) async throws -> BackupManifest? {
        try await read("manifest.json", in: set).map { try BackupManifest.decode($0, set: set) }
    }

    /// The set `id`, or the newest complete set when `id` is `nil`.
    func completeSet(_ id: String?) async throws -> BackupManifest {
        if let id {
            guard let manifest = try await manifest(of: id) else {
                throw RecoveryError("\(location) has no complete set \(id) (see `comptoir backup list --from \(location)`)")
            }
            return manifest
        }
        for set in try await setIDs().reversed() {
            if let manifest = try await manifest(of: set) { return manifest }
        }
        throw RecoveryError("\(location) holds no complete backup set")
    }
}

/// A folder of sets.
struct DirectoryBackupStorage: BackupStorage {
    let root: URL
    var location: String { root.path }

    func setIDs() async throws -> [String] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: root.path).filter { BackupSetID.date(of: $0) != nil }.sorted()
    }

    func store(_ file: URL, as name: String, in set: String) async throws {
        let target = try folder(set).appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        do {
            try FileManager.default.moveItem(at: file, to: target)
        } catch {
            try FileManager.default.copyItem(at: file, to: target)
        }
    }

    func store(_ data: Data, as name: String, in set: String) async throws {
        try data.write(to: try folder(set).appendingPathComponent(name), options: .atomic)
    }

    func fetch(_ name: String, in set: String, scratch: URL) async throws -> URL? {
        let file = root.appendingPathComponent(set).appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }

    /// `nil` only when the file is not there: a manifest that cannot be read must not make its set
    /// look incomplete, which prune would delete.
    func read(_ name: String, in set: String) async throws -> Data? {
        let file = root.appendingPathComponent(set).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try Data(contentsOf: file)
    }

    func delete(set: String) async throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(set))
    }

    private func folder(_ set: String) throws -> URL {
        let folder = root.appendingPathComponent(set)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// Set ids are their UTC start times, so that they sort by age and say when they were taken.
enum BackupSetID {
    static func make(_ date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ",
            parts.year ?? 0,
            parts.month ?? 0,
            parts.day ?? 0,
            parts.hour ?? 0,
            parts.minute ?? 0,
            parts.second ?? 0
        )
    }

    static func date(of id: String) -> Date? {
        let digits = Array(id.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        let number = { (range: Range<Int>) in Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        return Calendar.utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
