import FluentKit
import Foundation
import SQLKit

/// Human-readable order numbers, `2026-000042`: the year of the order and a platform-wide
/// sequence. The counter is one row bumped by an upsert inside the checkout transaction, so two
/// checkouts never share a number (SQLite serialises writers; PostgreSQL locks the row).
enum OrderNumbers {
    static let schema = "order_numbers"

    static func next(on database: any Database, now: Date = Date()) async throws -> String {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            INSERT INTO order_numbers (name, value) VALUES ('orders', 1)
            ON CONFLICT (name) DO UPDATE SET value = order_numbers.value + 1
            RETURNING value
            """).first()
        guard let value = try row?.decode(column: "value", as: Int.self) else { throw OrderNumberUnavailable() }
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now).year!
        return "\(year)-\(String(format: "%06d", value))"
    }
}

struct OrderNumberUnavailable: Error, CustomStringConvertible {
    var description: String { "the order number counter returned no value" }
}
