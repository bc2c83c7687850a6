import FluentKit
import SQLKit

extension Database {
    /// This database as SQLKit's, for hand-written statements in a transaction or a migration.
    public var sql: any SQLDatabase {
        self as! any SQLDatabase  // trap-checked: both drivers Comptoir configures (SQLite, PostgreSQL) are SQLKit databases
    }
}
