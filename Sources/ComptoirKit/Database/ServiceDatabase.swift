import ComptoirContracts
import CoreMetrics
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import ServiceContextModule
import Tracing

/// The database a service owns: one SQLite file (WAL) in embedded mode, or database
/// `comptoir_<service>` on PostgreSQL in cluster mode. Created when missing, migrated at start.
public final class ServiceDatabase: Sendable {
    public enum Dialect: String, Sendable {
        case sqlite, postgres

        /// OpenTelemetry's `db.system.name`.
        var systemName: String { self == .sqlite ? "sqlite" : "postgresql" }
    }

    public let dialect: Dialect
    public let service: ServiceID
    private let databases: Databases
    /// SQLite uses one connection on one loop: writers never meet `SQLITE_BUSY`, and a
    /// transaction is naturally serialised, which stock reservations rely on.
    private let pinnedLoop: (any EventLoop)?
    private let logger: Logger
    /// A handle made at init, given out once `databases` is shut down and has none to give: a late
    /// user (a request still unwinding while the process tears down) sees its queries fail with
    /// `ConnectionPoolError.shutdown` rather than the process trapping.
    private let shutDownFallback: any Database
    private let telemetry: Telemetry
    private let metrics: ServiceMetrics?

    /// Opens the service's database as configured; nothing is connected until first use.
    /// Transactions are traced with `telemetry` and timed into `metrics`.
    public init(
        service: ServiceID,
        configuration: ComptoirConfiguration,
        logger: Logger,
        telemetry: Telemetry = .off,
        metrics: ServiceMetrics? = nil
    ) async throws {
        self.service = service
        self.logger = logger
        self.telemetry = telemetry
        self.metrics = metrics
        let group = MultiThreadedEventLoopGroup.singleton
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: group)
        let poolTimeout = TimeAmount.nanoseconds(configuration.databaseTimeout.nanoseconds)
        if let url = configuration.databaseURL(for: service) {
            let name = configuration.databaseName(for: service)
            try await Self.createPostgresDatabaseIfMissing(name, serverURL: url, logger: logger)
            let serviceURL = try Self.url(url, database: name)
            let postgres = try SQLPostgresConfiguration(url: serviceURL)
            databases.use(
                .postgres(
                    configuration: postgres,
                    maxConnectionsPerEventLoop: configuration.databasePoolSize,
                    connectionPoolTimeout: poolTimeout,
                    encodingContext: .default,
                    decodingContext: .default,
                    sqlLogLevel: .debug
                ),
                as: .psql
            )
            self.dialect = .postgres
            self.pinnedLoop = nil
        } else {
            try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
            let path = configuration.sqliteFile(for: service).path
            databases.use(.sqlite(.file(path), connectionPoolTimeout: poolTimeout, sqlLogLevel: .debug), as: .sqlite)
            self.dialect = .sqlite
            self.pinnedLoop = group.any()
        }
        self.databases = databases
        self.shutDownFallback = databases.database(logger: logger, on: pinnedLoop ?? group.any())!  // trap-checked: configured above, not shut down
        if dialect == .sqlite {
            do {
                // WAL lets readers proceed during a write and survives a crash without losing a commit.
                try await sql.raw("PRAGMA journal_mode=WAL").run()
            } catch {
                await databases.shutdownAsync()
                throw error
            }
        }
    }

    /// A Fluent handle for the service's database.
    public var fluent: any Database {
        databases.database(logger: logger, on: pinnedLoop ?? databases.eventLoopGroup.any()) ?? shutDownFallback
    }

    /// A SQLKit handle, for the hot read paths and hand-written statements.
    public var sql: any SQLDatabase { fluent.sql }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// Every service's transactions go through here rather than Fluent's `transaction`, which runs
    /// its body in a new task that has lost the caller's task locals: here the trace context
    /// follows the body (so an outbox row written inside keeps the request's trace), the
    /// transaction is a `db.transaction` span, and `db_pool_wait_seconds` (asking for the
    /// transaction until holding its connection) and `db_transaction_duration_seconds` are recorded;
    /// the outbox's relay is woken after the commit, when it can see the rows (``CommitSignals``).
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let asked = ContinuousClock.now
        let attributes: SpanAttributes = ["db.system.name": .string(dialect.systemName), "db.namespace": .string(service.rawValue)]
        let committed = CommitSignals()
        let result = try await telemetry.withSpan("db.transaction", kind: .client, attributes: attributes) { _ in
            let context = ServiceContext.current
            return try await fluent.transaction { tx in
                let started = ContinuousClock.now
                self.metrics?.timer("db_pool_wait_seconds").recordNanoseconds((started - asked).nanoseconds)
                defer { self.metrics?.timer("db_transaction_duration_seconds").recordNanoseconds((ContinuousClock.now - started).nanoseconds) }
                return try await CommitSignals.$current.withValue(committed) {
                    guard let context else { return try await body(tx) }
                    return try await ServiceContext.$current.withValue(context) { try await body(tx) }
                }
            }
        }
        committed.notifyAll()
        return result
    }

    /// Runs every migration not yet applied, in order.
    public func migrate(_ migrations: [any Migration]) async throws {
        let registry = Migrations()
        registry.add(migrations)
        let migrator = Migrator(databases: databases, migrations: registry, logger: logger, on: pinnedLoop ?? databases.eventLoopGroup.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    /// Answers when the database accepts a query; used by `/health/ready`.
    public func ping() async throws {
        _ = try await sql.raw("SELECT 1").all()
    }

    /// Closes every pooled connection.
    public func shutdown() async {
        await databases.shutdownAsync()
    }

    /// Whether the service's database exists (its SQLite file, or its PostgreSQL database), without creating it.
    public static func exists(service: ServiceID, configuration: ComptoirConfiguration, logger: Logger) async throws -> Bool {
        guard let url = configuration.databaseURL(for: service) else {
            return FileManager.default.fileExists(atPath: configuration.sqliteFile(for: service).path)
        }
        return try await withServerDatabase(url, logger: logger) { db in
            try await !db.raw("SELECT 1 FROM pg_database WHERE datname = \(bind: configuration.databaseName(for: service))").all().isEmpty
        }
    }

    /// Deletes the service's database: its SQLite file (with its WAL), or its PostgreSQL database.
    /// For scratch copies (`comptoir backup verify`), never the platform's own.
    public static func drop(service: ServiceID, configuration: ComptoirConfiguration, logger: Logger) async throws {
        guard let url = configuration.databaseURL(for: service) else {
            let path = configuration.sqliteFile(for: service).path
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.removeItem(atPath: path + suffix)
            }
            return
        }
        // Not `WITH (FORCE)`: a role that is not a superuser may not end an autovacuum worker
        // (42501), which a freshly loaded database often has. A plain drop asks it to leave and
        // waits; another session still connected (55006) gets a few more tries.
        for attempt in 1...10 {
            do {
                return try await withServerDatabase(url, logger: logger) { db in
                    try await db.raw("DROP DATABASE IF EXISTS \(ident: configuration.databaseName(for: service))").run()
                }
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55006" && attempt < 10 {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// `server` with its path set to `/<database>`.
    static func url(_ server: URL, database: String) throws -> URL {
        guard var components = URLComponents(url: server, resolvingAgainstBaseURL: false) else { throw unusableURL(server) }
        components.path = "/" + database
        guard let url = components.url else { throw unusableURL(server) }
        return url
    }

    private static func unusableURL(_ server: URL) -> ConfigurationError {
        let shown = EnvironmentReader.redacted(server.absoluteString)
        return ConfigurationError("COMPTOIR_DATABASE_URL", "cannot name a database on this server (got \"\(shown)\")")
    }

    /// Creates the database `name` (`comptoir_<service>`) through the server's `postgres` database. Two replicas racing
    /// to create it is fine: the loser sees "already exists" (42P04) and goes on.
    static func createPostgresDatabaseIfMissing(_ name: String, serverURL: URL, logger: Logger) async throws {
        do {
            try await withServerDatabase(serverURL, logger: logger) { db in
                let rows = try await db.raw("SELECT 1 FROM pg_database WHERE datname = \(bind: name)").all()
                if rows.isEmpty {
                    // The name is a checked prefix and a `ServiceID`, never request input; `ident` quotes it anyway.
                    try await db.raw("CREATE DATABASE \(ident: name)").run()
                    logger.notice("created database", metadata: ["database": .string(name)])
                }
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P04" {
            // Another replica created it first.
        }
    }

    /// Runs `body` on the server's `postgres` database, where databases are created and dropped.
    static func withServerDatabase<T>(_ serverURL: URL, logger: Logger, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let admin = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        do {
            admin.use(try .postgres(url: try url(serverURL, database: "postgres"), sqlLogLevel: .debug), as: .psql)
            let result = try await body(admin.database(logger: logger, on: admin.eventLoopGroup.any())!.sql)  // trap-checked: registered just above
            await admin.shutdownAsync()
            return result
        } catch {
            await admin.shutdownAsync()
            throw error
        }
    }
}
