import ComptoirContracts
import ComptoirKit
import Foundation
import Logging
import SQLKit

/// After a restore, puts back on the relay's queue every event sent since `since`, in every
/// service's outbox: events that crossed the backup boundary reach the restored consumers again,
/// and consumers that already had them drop them through their inbox (decision 0028).
enum OutboxReplay {
    /// Re-arms the rows and returns how many per service; a service without a database yet is skipped.
    static func rearm(since: Date, services: [ServiceID], configuration: ComptoirConfiguration, logger: Logger) async throws -> [ServiceID: Int] {
        var counts: [ServiceID: Int] = [:]
        for service in services {
            guard try await ServiceDatabase.exists(service: service, configuration: configuration, logger: logger) else { continue }
            let database = try await ServiceDatabase(service: service, configuration: configuration, logger: logger)
            counts[service] = try await DatabaseCopy.using(database) { database in
                let tableQuery: SQLQueryString =
                    database.dialect == .sqlite
                    ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = \(bind: OutboxMessage.schema)"
                    : "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename = \(bind: OutboxMessage.schema)"
                guard try await database.sql.raw(tableQuery).first()?.decode(column: "n", as: Int.self) == 1 else { return 0 }
                return try await database.transaction { tx in
                    let sql = tx.sql
                    let count =
                        try await sql.raw(
                            "SELECT COUNT(*) AS n FROM \(ident: OutboxMessage.schema) WHERE sent_at >= \(bind: since) AND dead_at IS NULL"
                        ).first()?.decode(column: "n", as: Int.self) ?? 0
                    try await sql.raw(
                        """
                        UPDATE \(ident: OutboxMessage.schema) SET sent_at = NULL, attempts = 0, next_attempt_at = \(bind: Date())
                        WHERE sent_at >= \(bind: since) AND dead_at IS NULL
                        """
                    ).run()
                    return count
                }
            }
        }
        return counts
    }
}
