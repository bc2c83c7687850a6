import ComptoirKit
import SQLKit

/// A database that refuses some writes, as a full disk or a lost connection would: a trigger
/// that aborts an UPDATE of `column` on `table` whose new row matches `condition` (SQL over
/// `NEW`, the same in SQLite and PostgreSQL). Undone by ``allow(on:)``.
public struct DatabaseFault: Sendable {
    public let name: String
    public let table: String
    public let column: String
    public let condition: String

    public init(name: String, table: String, column: String, when condition: String = "TRUE") {
        self.name = name
        self.table = table
        self.column = column
        self.condition = condition
    }

    public func refuse(on database: ServiceDatabase) async throws {
        switch database.dialect {
        case .sqlite:
            try await database.sql.raw(
                SQLQueryString(
                    """
                    CREATE TRIGGER \(unsafeRaw: name) BEFORE UPDATE OF \(unsafeRaw: column) ON \(unsafeRaw: table) WHEN \(unsafeRaw: condition)
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """
                )
            ).run()
        case .postgres:
            try await database.sql.raw(
                SQLQueryString(
                    """
                    CREATE FUNCTION \(unsafeRaw: name)() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$
                    """
                )
            ).run()
            try await database.sql.raw(
                SQLQueryString(
                    """
                    CREATE TRIGGER \(unsafeRaw: name) BEFORE UPDATE OF \(unsafeRaw: column) ON \(unsafeRaw: table)
                    FOR EACH ROW WHEN (\(unsafeRaw: condition)) EXECUTE FUNCTION \(unsafeRaw: name)()
                    """
                )
            ).run()
        }
    }

    public func allow(on database: ServiceDatabase) async throws {
        switch database.dialect {
        case .sqlite:
            try await database.sql.raw(SQLQueryString("DROP TRIGGER \(unsafeRaw: name)")).run()
        case .postgres:
            try await database.sql.raw(SQLQueryString("DROP TRIGGER \(unsafeRaw: name) ON \(unsafeRaw: table)")).run()
            try await database.sql.raw(SQLQueryString("DROP FUNCTION \(unsafeRaw: name)()")).run()
        }
    }
}
