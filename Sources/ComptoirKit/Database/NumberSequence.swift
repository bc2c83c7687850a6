import FluentKit
import Foundation
import SQLKit

/// Human-readable numbers (orders, tickets): `<prefix><year>-<6 digits>` from one counter row
/// bumped by an upsert inside the caller's transaction, so two writers never share a number
/// (SQLite serialises writers; PostgreSQL locks the row).
public struct NumberSequence: Sendable {
    /// The counter's table (one row per sequence name).
    public let table: String
    public let prefix: String

    public init(table: String, prefix: String = "") {
        self.table = table
        self.prefix = prefix
    }

    /// Creates the counter table; call from a migration.
    public func create(on database: any Database) async throws {
        try await database.schema(table).field("name", .string, .identifier(auto: false)).field("value", .int64, .required).create()
    }

    public func drop(on database: any Database) async throws {
        try await database.schema(table).delete()
    }

    /// The next number, such as `2026-000042`.
    public func next(on database: any Database, name: String = "default", now: Date = Date()) async throws -> String {
        let sql = database.sql
        let row = try await sql.raw(
            """
            INSERT INTO \(ident: table) (name, value) VALUES (\(bind: name), 1)
            ON CONFLICT (name) DO UPDATE SET value = \(ident: table).value + 1
            RETURNING value
            """
        ).first()
        guard let value = try row?.decode(column: "value", as: Int.self) else { throw NumberSequenceUnavailable(table: table) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let year = calendar.component(.year, from: now)
        return "\(prefix)\(year)-\(String(format: "%06d", value))"
    }
}

struct NumberSequenceUnavailable: Error, CustomStringConvertible {
    let table: String
    var description: String { "the counter in \(table) returned no value" }
}
