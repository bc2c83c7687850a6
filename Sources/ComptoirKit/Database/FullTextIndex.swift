import FluentKit
import Foundation
import SQLKit

/// Full-text search over some text columns of a table, with one API on both databases:
/// an FTS5 side table `<table>_fts` on SQLite, and a weighted `tsvector` column `search` with a
/// GIN index on PostgreSQL; both kept in step by ``index(_:values:on:)`` in the writer's
/// transaction.
///
/// Text is cut into words the same way on both sides and for both the rows and the search:
/// letters and digits only, lower-cased, accents folded ("Crème" is found by "creme", "TEE-3"
/// by "tee-3"). PostgreSQL's own parser would read "-3" as a signed number and keep accents,
/// so the words are made here and handed to `to_tsvector('simple', …)` ready-made.
/// A search is at most 8 such words, each a prefix that must match, so nothing a caller types
/// can change the query's syntax on either database.
public struct FullTextIndex: Sendable {
    /// A searched column and its weight (`A` ranks above `B`) on PostgreSQL.
    public struct Column: Sendable {
        public var name: String
        public var weight: Character

        public init(_ name: String, weight: Character = "A") {
            self.name = name
            self.weight = weight
        }
    }

    public let table: String
    /// The side table's column holding the row's id (SQLite).
    public let keyColumn: String
    public let columns: [Column]

    public init(table: String, keyColumn: String, columns: [Column]) {
        self.table = table
        self.keyColumn = keyColumn
        self.columns = columns
    }

    var sideTable: String { "\(table)_fts" }

    /// Creates the index; call from the migration that creates `table`.
    public func create(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "sqlite" {
            let names = columns.map(\.name).joined(separator: ", ")
            try await sql.raw(
                """
                CREATE VIRTUAL TABLE \(unsafeRaw: sideTable) USING fts5(\(unsafeRaw: keyColumn) UNINDEXED, \
                \(unsafeRaw: names), tokenize = 'unicode61 remove_diacritics 2')
                """
            ).run()
        } else {
            try await sql.raw("ALTER TABLE \(unsafeRaw: table) ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector").run()
            try await sql.raw("CREATE INDEX \(unsafeRaw: table)_search ON \(unsafeRaw: table) USING GIN (search)").run()
        }
    }

    /// Drops the SQLite side table (PostgreSQL's column goes with its table).
    public func drop(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "sqlite" { try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: sideTable)").run() }
    }

    /// Indexes a row's current text (one value per column, in order), inside the caller's
    /// transaction, after the row was written (on PostgreSQL the row itself holds the words).
    public func index(_ id: UUID, values: [String], on database: any Database, idColumn: String = "id") async throws {
        let sql = database.sql
        guard sql.dialect.name == "sqlite" else {
            var vector = SQLQueryString("")
            for (index, (column, value)) in zip(columns, values).enumerated() {
                if index > 0 { vector.appendInterpolation(unsafeRaw: " || ") }
                vector.appendInterpolation(unsafeRaw: "setweight(to_tsvector('simple', ")
                vector.appendInterpolation(bind: Self.words(of: value, limit: nil).joined(separator: " "))
                vector.appendInterpolation(unsafeRaw: "), '\(column.weight)')")
            }
            try await sql.raw("UPDATE \(unsafeRaw: table) SET search = \(vector) WHERE \(unsafeRaw: idColumn) = \(bind: id)").run()
            return
        }
        try await unindex(id, on: database)
        let insert = sql.insert(into: sideTable).columns([keyColumn] + columns.map(\.name))
        try await insert.values([SQLBind(id)] + values.map { SQLBind($0) }).run()
    }

    /// Removes a deleted row from the index.
    public func unindex(_ id: UUID, on database: any Database) async throws {
        let sql = database.sql
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.delete(from: sideTable).where(SQLColumn(keyColumn), .equal, SQLBind(id)).run()
    }

    /// A `WHERE` condition on `table` matching `search`, or `nil` when it has no words.
    public func condition(matching search: String, dialect: ServiceDatabase.Dialect, idColumn: String = "id") -> (any SQLExpression)? {
        let words = Self.words(of: search)
        guard !words.isEmpty else { return nil }
        switch dialect {
        case .sqlite:
            let match = words.map { "\"\($0)\"*" }.joined(separator: " ")
            return SQLQueryString(
                """
                \(unsafeRaw: idColumn) IN (SELECT \(unsafeRaw: keyColumn) FROM \(unsafeRaw: sideTable) \
                WHERE \(unsafeRaw: sideTable) MATCH \(bind: match))
                """
            )
        case .postgres:
            return SQLQueryString("search @@ to_tsquery('simple', \(bind: words.map { "\($0):*" }.joined(separator: " & ")))")
        }
    }

    /// The letters-and-digits words of a text, lower-cased with accents folded, each at most
    /// 40 characters; at most `limit` of them (8 for a search).
    public static func words(of text: String, limit: Int? = 8) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        let words = folded.split { !($0.isLetter || $0.isNumber) }.map { String($0.prefix(40)) }
        return limit.map { Array(words.prefix($0)) } ?? words
    }
}
