import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Logging
import SQLKit

/// Copies a service's database out of the platform and back in.
///
/// - SQLite: `VACUUM INTO`, which writes a consistent copy of the database from one read
///   transaction while the platform keeps writing (WAL included, nothing torn); restored by
///   putting the file in place.
/// - PostgreSQL: every table's rows as JSON lines (`row_to_json`), read in one `REPEATABLE READ
///   READ ONLY` transaction, tables in foreign-key order; restored into a schema rebuilt by the
///   migrations the copy had, with `json_populate_recordset`, in one transaction.
struct DatabaseCopy {
    let service: ServiceID
    let configuration: ComptoirConfiguration
    let logger: Logger

    /// The part holding the database in an archive of this dialect.
    static func partName(_ dialect: ServiceDatabase.Dialect) -> String {
        dialect == .sqlite ? "database.sqlite" : "database.jsonl"
    }

    /// What a copy holds, read from the copy itself.
    struct Facts: Sendable {
        var migrations: [String]
        var tables: [String: Int]
        var outbox: BackupManifest.OutboxMark
        var inbox: BackupManifest.InboxMark
    }

    var isSQLite: Bool { configuration.databaseURL(for: service) == nil }

    /// Copies the live database into `folder` as ``partName(_:)``; returns the file and its facts.
    func copy(into folder: URL) async throws -> (file: URL, facts: Facts) {
        guard try await ServiceDatabase.exists(service: service, configuration: configuration, logger: logger) else {
            let place = isSQLite ? configuration.sqliteFile(for: service).path : "database \(configuration.databaseName(for: service))"
            throw RecoveryError("\(service): no database at \(place) (is this the platform's --data-dir or COMPTOIR_DATABASE_URL?)")
        }
        if isSQLite {
            let live = configuration.sqliteFile(for: service)
            // Named as the service's file, so that the copy opens like any data directory's.
            let file = Self.sqliteCopy(of: service, in: folder)
            try await Self.using(try await ServiceDatabase(service: service, configuration: configuration, logger: logger)) { database in
                do {
                    try await database.sql.raw("VACUUM INTO \(bind: file.path)").run()
                } catch {
                    throw RecoveryError("\(service): SQLite could not copy \(live.path): \(String(reflecting: error))")
                }
            }
            return (file, try await facts(ofSQLiteCopyIn: folder))
        }
        let file = folder.appendingPathComponent(Self.partName(.postgres))
        let facts = try await Self.using(try await ServiceDatabase(service: service, configuration: configuration, logger: logger)) { database in
            try await database.transaction { tx in
                let sql = tx.sql
                try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                let sink = try FileSink(creating: file)
                let tables = try await Self.tablesInForeignKeyOrder(sql)
                try sink.write(Data(Self.formatLine.utf8))
                for table in tables {
                    let columns = try await Self.columns(of: table, sql)
                    try sink.write(Data("#".utf8) + (try JSONEncoder().encode(TableHeader(table: table, columns: columns))) + Data("\n".utf8))
                    // A cursor keeps memory to one batch whatever the table's size.
                    try await sql.raw("DECLARE comptoir_backup NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM \(ident: table) t").run()
                    while true {
                        let rows = try await sql.raw("FETCH 1000 FROM comptoir_backup").all()
                        if rows.isEmpty { break }
                        for row in rows { try sink.write(Data(try row.decode(column: "row", as: String.self).utf8) + Data("\n".utf8)) }
                    }
                    try await sql.raw("CLOSE comptoir_backup").run()
                }
                _ = try sink.finish()
                return try await Self.facts(sql, tables: tables)
            }
        }
        return (file, facts)
    }

    /// The first line of `database.jsonl`; each table's rows follow a `#{"table":…,"columns":[…]}` line.
    static let formatLine = #"{"format":"comptoir-postgres-rows/1"}"# + "\n"

    /// Where a SQLite copy of `service` sits in a staging folder.
    static func sqliteCopy(of service: ServiceID, in folder: URL) -> URL {
        folder.appendingPathComponent("\(service.rawValue).sqlite")
    }

    /// Runs `body` with `database` and closes it, whatever happens.
    static func using<T>(_ database: ServiceDatabase, _ body: (ServiceDatabase) async throws -> T) async throws -> T {
        do {
            let result = try await body(database)
            await database.shutdown()
            return result
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// A configuration whose SQLite files are those in `folder`.
    func sqliteConfiguration(in folder: URL) -> ComptoirConfiguration {
        var scratch = configuration
        scratch.dataDirectory = folder
        scratch.databaseURL = nil
        scratch.serviceDatabaseURLs = [:]
        return scratch
    }

    /// The header line before a table's rows in `database.jsonl`.
    struct TableHeader: Codable {
        var table: String
        var columns: [String]
    }

    /// The facts of the SQLite copy in `folder`, after its integrity check.
    func facts(ofSQLiteCopyIn folder: URL) async throws -> Facts {
        let scratch = sqliteConfiguration(in: folder)
        return try await Self.using(try await ServiceDatabase(service: service, configuration: scratch, logger: logger)) { database in
            let sql = database.sql
            let check = try await sql.raw("PRAGMA integrity_check").all()
            let verdict = try check.first?.decode(column: "integrity_check", as: String.self)
            guard verdict == "ok" else { throw RecoveryError("\(service): the SQLite copy fails its integrity check: \(verdict ?? "no answer")") }
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()
                .map { try $0.decode(column: "name", as: String.self) }
            return try await Self.facts(sql, tables: tables)
        }
    }

    /// Migrations, row counts and the outbox and inbox marks, as `sql` sees them.
    static func facts(_ sql: any SQLDatabase, tables: [String]) async throws -> Facts {
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        let migrations =
            tables.contains("_fluent_migrations")
            ? try await sql.raw("SELECT name FROM _fluent_migrations ORDER BY batch, created_at").all().map {
                try $0.decode(column: "name", as: String.self)
            }
            : []
        var outbox = BackupManifest.OutboxMark(total: 0, unsent: 0)
        if tables.contains(OutboxMessage.schema) {
            let row = try await sql.raw(
                """
                SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0) AS unsent,
                MAX(created_at) AS last_created, MAX(sent_at) AS last_sent FROM \(ident: OutboxMessage.schema)
                """
            ).first()
            outbox = .init(
                total: try row?.decode(column: "total", as: Int.self) ?? 0,
                unsent: try row?.decode(column: "unsent", as: Int.self) ?? 0,
                lastCreatedAt: try row?.decode(column: "last_created", as: Date?.self),
                lastSentAt: try row?.decode(column: "last_sent", as: Date?.self)
            )
        }
        var inbox = BackupManifest.InboxMark(total: 0)
        if tables.contains(InboxMessage.schema) {
            let row = try await sql.raw("SELECT COUNT(*) AS total, MAX(received_at) AS last FROM \(ident: InboxMessage.schema)").first()
            inbox = .init(total: try row?.decode(column: "total", as: Int.self) ?? 0, lastReceivedAt: try row?.decode(column: "last", as: Date?.self))
        }
        return Facts(migrations: migrations, tables: counts, outbox: outbox, inbox: inbox)
    }

    /// The schema's tables, each after the tables it refers to, so rows load without breaking a foreign key.
    static func tablesInForeignKeyOrder(_ sql: any SQLDatabase) async throws -> [String] {
        let tables = try await sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").all()
            .map { try $0.decode(column: "tablename", as: String.self) }
        let edges = try await sql.raw(
            """
            SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
            WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
            """
        ).all().map { (try $0.decode(column: "child", as: String.self), try $0.decode(column: "parent", as: String.self)) }
        var parents: [String: Set<String>] = [:]
        for (child, parent) in edges where child != parent { parents[child, default: []].insert(parent) }
        var ordered: [String] = []
        var placed = Set<String>()
        while ordered.count < tables.count {
            let ready = tables.filter { !placed.contains($0) && parents[$0, default: []].isSubset(of: placed) }
            // A cycle of foreign keys (none in Comptoir's schemas) would stop here: keep the rest in name order.
            let next = ready.isEmpty ? tables.filter { !placed.contains($0) } : ready
            ordered += next
            placed.formUnion(next)
        }
        return ordered
    }

    static func columns(of table: String, _ sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(bind: table) ORDER BY ordinal_position
            """
        ).all().map { try $0.decode(column: "column_name", as: String.self) }
    }

    // MARK: - Restore

    /// Whether the target holds anything: a SQLite file with tables, or a PostgreSQL schema with tables.
    func targetHoldsData() async throws -> Bool {
        guard try await ServiceDatabase.exists(service: service, configuration: configuration, logger: logger) else { return false }
        let query: SQLQueryString =
            isSQLite
            ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'"
            : "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema()"
        let count = try await Self.using(try await ServiceDatabase(service: service, configuration: configuration, logger: logger)) { database in
            try await database.sql.raw(query).first()?.decode(column: "n", as: Int.self)
        }
        return (count ?? 0) > 0
    }

    /// Puts a SQLite copy in place of the service's file (its WAL and shared memory removed first).
    func placeSQLite(_ file: URL) throws {
        let target = configuration.sqliteFile(for: service)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target.path + suffix) }
        let incoming = URL(fileURLWithPath: target.path + ".restoring")
        try? FileManager.default.removeItem(at: incoming)
        try FileManager.default.copyItem(at: file, to: incoming)
        guard rename(incoming.path, target.path) == 0 else { throw RecoveryError("\(service): cannot move the restored file to \(target.path)") }
    }

    /// Drops every table of the service's PostgreSQL schema (a forced restore).
    func dropPostgresTables() async throws {
        try await Self.using(try await ServiceDatabase(service: service, configuration: configuration, logger: logger)) { database in
            try await database.transaction { tx in
                for table in try await tx.sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").all() {
                    try await tx.sql.raw("DROP TABLE IF EXISTS \(ident: try table.decode(column: "tablename", as: String.self)) CASCADE").run()
                }
            }
        }
    }

    /// Loads `database.jsonl` into a schema the migrations have just rebuilt, in one transaction:
    /// a failure leaves no row behind.
    func loadPostgresRows(_ file: URL) async throws -> [String: Int] {
        let service = self.service
        return try await Self.using(try await ServiceDatabase(service: service, configuration: configuration, logger: logger)) { database in
            try await database.transaction { tx in
                let lines = LineReader(source: try FileSource(file))
                guard try lines.next().map({ $0 + "\n" }) == Self.formatLine else {
                    throw RecoveryError("\(service): database.jsonl is not a Comptoir PostgreSQL copy")
                }
                var counts: [String: Int] = [:]
                var table: String?
                var batch: [String] = []
                var batchBytes = 0
                while let line = try lines.next() {
                    if line.hasPrefix("#") {
                        if let table { counts[table, default: 0] += try await Self.insert(batch, into: table, tx.sql) }
                        batch.removeAll(keepingCapacity: true)
                        batchBytes = 0
                        let header = try JSONDecoder().decode(TableHeader.self, from: Data(line.utf8.dropFirst()))
                        // Skipped: the migrations that rebuilt the schema wrote their own rows.
                        guard header.table != "_fluent_migrations" else {
                            table = nil
                            continue
                        }
                        let columns = try await Self.columns(of: header.table, tx.sql)
                        guard columns == header.columns else {
                            throw RecoveryError(
                                "\(service): table \(header.table) has columns \(columns) here but \(header.columns) in the backup: the migrations differ"
                            )
                        }
                        table = header.table
                        counts[header.table] = 0
                        continue
                    }
                    guard let table else { continue }
                    batch.append(line)
                    batchBytes += line.utf8.count
                    if batch.count >= 1000 || batchBytes > 8 << 20 {
                        counts[table, default: 0] += try await Self.insert(batch, into: table, tx.sql)
                        batch.removeAll(keepingCapacity: true)
                        batchBytes = 0
                    }
                }
                if let table { counts[table, default: 0] += try await Self.insert(batch, into: table, tx.sql) }
                return counts
            }
        }
    }

    /// Inserts rows given as `row_to_json` objects; returns how many.
    static func insert(_ rows: [String], into table: String, _ sql: any SQLDatabase) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let array = "[" + rows.joined(separator: ",") + "]"
        try await sql.raw("INSERT INTO \(ident: table) SELECT * FROM json_populate_recordset(NULL::\(ident: table), \(bind: array)::json)").run()
        return rows.count
    }
}

/// Reads a file line by line without holding it whole.
final class LineReader {
    private let source: FileSource
    private var buffer = Data()
    private var ended = false

    init(source: FileSource) {
        self.source = source
    }

    func next() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return String(decoding: line, as: UTF8.self)
            }
            if ended {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            let more = try source.read(upTo: 1 << 20)
            if more.isEmpty { ended = true } else { buffer.append(more) }
        }
    }
}
