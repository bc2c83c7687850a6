import Foundation

/// What a backup, verification or restore did, printed as a summary or as JSON (`--json`).
public struct RecoveryReport: Codable, Sendable {
    public var operation: String
    public var id: String
    public var location: String
    public var seconds: Double
    public var bytes: Int64
    public var services: [ServiceLine]
    /// Outbox rows put back on the relay's queue, per service (restore only).
    public var replayed: [String: Int]?

    public struct ServiceLine: Codable, Sendable {
        public var service: String
        public var seconds: Double
        public var bytes: Int64
        public var rows: Int
        public var blobs: Int?
    }

    /// One line per service and a total, for the terminal.
    public var summary: String {
        var lines = ["\(operation) \(id) (\(location))"]
        for line in services {
            let blobs = line.blobs.map { ", \($0) blobs" } ?? ""
            lines.append(
                "  \(line.service.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%7.1f", line.seconds)) s  "
                    + "\(RecoveryProgress.bytes(line.bytes).padding(toLength: 10, withPad: " ", startingAt: 0)) \(line.rows) rows\(blobs)"
            )
        }
        if let replayed, !replayed.isEmpty {
            let total = replayed.values.reduce(0, +)
            lines.append("  events to deliver again (sent since the backup): \(total)")
        }
        lines.append(String(format: "  total %.1f s, %@, %d services", seconds, RecoveryProgress.bytes(bytes), services.count))
        return lines.joined(separator: "\n")
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
