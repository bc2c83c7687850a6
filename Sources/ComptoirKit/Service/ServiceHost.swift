import ComptoirContracts
import FluentKit
import Foundation
import Hummingbird
import Instrumentation
import Logging
import NIOCore
import ServiceLifecycle
import Tracing

/// Builds and runs one service: opens its environment, migrates, subscribes its event handlers,
/// and serves its routes behind the kit's middleware, with `/health/*`, `/metrics` and `/openapi.json`.
public struct ServiceHost {
    public let id: ServiceID
    public let environment: ServiceEnvironment
    public let service: any ComptoirService
    public let router: Router<ComptoirRequestContext>
    /// The service's OpenAPI document, served at `/openapi.json`.
    public let document: JSONValue

    /// Opens the service, runs its migrations and `prepare`, and registers its subscriptions.
    public static func make<S: ComptoirService>(_ type: S.Type, platform: PlatformResources, loadDemoData: Bool = false) async throws -> ServiceHost {
        let environment = try await ServiceEnvironment(id: S.id, platform: platform, loadDemoData: loadDemoData, calls: S.calls)
        let service = try await S(environment: environment)
        try await migrate(service: service, environment: environment)
        try await service.prepare()
        Self.startSeriesAtZero(environment.metrics, consumed: service.eventHandlers.flatMap(\.bindings))
        for handler in service.eventHandlers {
            let inbox = environment.inbox
            let telemetry = environment.telemetry
            let messagingSystem = platform.messagingSystem
            try await platform.bus.subscribe(
                EventSubscription(service: S.id, bindings: handler.bindings, metrics: environment.metrics) { envelope in
                    // A child of (and linked to) the relay's publish span, whose context the envelope carries.
                    let producer = telemetry.context(traceparent: envelope.traceparent)
                    try await telemetry.withSpan(
                        "process \(envelope.type)",
                        kind: .consumer,
                        parent: producer ?? .topLevel,
                        links: producer.map { [$0] } ?? [],
                        attributes: Telemetry.messagingAttributes(of: envelope, operation: "process", system: messagingSystem)
                    ) { _ in
                        // `nil` for a duplicate; `.some(nil)` when applied with nothing to do after the commit.
                        let afterCommit = try await inbox.process(envelope) { tx in try await handler.apply(envelope, tx) }
                        await afterCommit??()
                    }
                }
            )
        }
        let router = Router(context: ComptoirRequestContext.self)
        Self.addStandardMiddleware(
            to: router,
            metrics: environment.metrics,
            telemetry: environment.telemetry,
            configuration: platform.configuration
        )
        router.add(middleware: WebsiteScopeMiddleware())
        router.add(middleware: AuthenticationMiddleware(verifier: platform.verifier))
        router.add(middleware: AuditMiddleware(database: environment.database, metrics: environment.metrics))
        HealthRoutes.add(to: router, checks: environment.healthChecks)
        Self.addMetricsRoute(to: router, metrics: environment.metrics)
        let api = ServiceAPI(router: router, title: "Comptoir \(S.id.rawValue) service", tag: S.id.rawValue)
        service.declare(api)
        AuditTrailRoutes(service: S.id, database: environment.database).declare(api)
        let document = api.document
        router.get("/openapi.json") { _, _ -> JSONResponse<JSONValue> in .verbatim(document) }
        return ServiceHost(id: S.id, environment: environment, service: service, router: router, document: document)
    }

    /// The kit's series every service has, at 0 from the start (``ServiceMetrics/startAtZero(_:_:)``).
    static func startSeriesAtZero(_ metrics: ServiceMetrics, consumed types: [String]) {
        metrics.startAtZero("cache_lookups_total", ["hit", "miss", "error"].map { [("result", $0)] })
        metrics.startAtZero("blob_orphans_total")
        metrics.startAtZero("audit_write_failures_total")
        let byType = Set(types).sorted().map { [("type", $0)] }
        for label in ["events_consumed_total", "events_duplicates_total", "events_handler_failures_total", "events_redelivered_total"] {
            metrics.startAtZero(label, byType)
        }
        metrics.startAtZero("events_dead_lettered_total", byType)
        for set in byType { _ = metrics.timer("events_delivery_lag_seconds", set) }
    }

    /// Applies the service's pending migrations and closes its database (`comptoir migrate`).
    ///
    /// With `only`, applies just the migrations of those names (a restore rebuilding the schema a
    /// backup was taken at), and refuses a name this build does not have: that backup was made by a
    /// newer build.
    public static func migrate<S: ComptoirService>(_ type: S.Type, platform: PlatformResources, only names: [String]? = nil) async throws {
        let environment = try await ServiceEnvironment(id: S.id, platform: platform, loadDemoData: false)
        do {
            let service = try await S(environment: environment)
            var migrations = kitMigrations + service.migrations
            if let names {
                let unknown = Set(names).subtracting(migrations.map(\.name))
                guard unknown.isEmpty else { throw UnknownMigrations(service: S.id, names: unknown.sorted()) }
                migrations = migrations.filter { names.contains($0.name) }
            }
            try await environment.database.migrate(migrations)
            await environment.database.shutdown()
        } catch {
            await environment.database.shutdown()
            throw error
        }
    }

    /// Applies the kit's and the service's pending migrations.
    public static func migrate(service: any ComptoirService, environment: ServiceEnvironment) async throws {
        try await environment.database.migrate(kitMigrations + service.migrations)
    }

    /// The tables every service has: the outbox, the inbox and the audit trail.
    public static var kitMigrations: [any Migration] { [OutboxMessage.Migration(), InboxMessage.Migration(), AuditRecord.Migration()] }

    /// Request id, metrics and access log, problem+json errors and the JSON body limit, in that order.
    public static func addStandardMiddleware(
        to router: Router<ComptoirRequestContext>,
        metrics: ServiceMetrics,
        telemetry: Telemetry = .off,
        routeLabel: (@Sendable (Request, String) -> String)? = nil,
        configuration: ComptoirConfiguration
    ) {
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ObservabilityMiddleware(metrics: metrics, telemetry: telemetry, routeLabel: routeLabel))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maxBodySize))
    }

    public static func addMetricsRoute(to router: Router<ComptoirRequestContext>, metrics: ServiceMetrics) {
        router.get("/metrics") { _, _ -> Response in
            let bytes = metrics.exposition()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    /// The runnable application: the HTTP server plus the outbox relay and the service's
    /// background work. On shutdown the server drains first, then the relay stops, then the
    /// database pool and the shared clients close — unless `closesResources` is false because the
    /// caller closes them later (in one process, other services' relays still deliver into this database).
    public func application(
        host: String = "127.0.0.1",
        port: Int,
        closesResources: Bool = true,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var logger = environment.logger
        logger[metadataKey: "component"] = .string(id.rawValue)
        var app = Application(
            router: router,
            server: .http1WithLingeringClose(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
        // Started first, stopped last: the spans of the shutdown itself are exported too.
        if let exporter = environment.telemetry.service { app.addServices(exporter) }
        if closesResources {
            app.addServices(ResourceCloser(databases: [environment.database], platform: environment.platform))
            if let bus = environment.platform.busService { app.addServices(bus) }
        }
        app.addServices(
            EventLoopLagProbe(metrics: environment.metrics),
            OutboxRelay(
                database: environment.database,
                bus: environment.platform.bus,
                outbox: environment.outbox,
                metrics: environment.metrics,
                logger: environment.logger,
                telemetry: environment.telemetry,
                messagingSystem: environment.platform.messagingSystem,
                faults: environment.configuration.faults
            )
        )
        app.addServices(service.backgroundServices)
        return app
    }
}

/// Closes database pools and the process's shared clients (Redis) when the process shuts down.
/// Started before everything that uses them, so a `ServiceGroup` (which stops services in
/// reverse order) stops it after them.
public struct ResourceCloser: Service {
    let databases: [ServiceDatabase]
    let platform: PlatformResources?

    public init(databases: [ServiceDatabase], platform: PlatformResources?) {
        self.databases = databases
        self.platform = platform
    }

    public func run() async throws {
        // Cancelled rather than shut down gracefully means a service failed (a port taken, say)
        // and the group tears down at once: close anyway, since a pool released unclosed is a
        // crash, and requests still unwinding only see their connections fail.
        try? await gracefulShutdown()
        for database in databases { await database.shutdown() }
        await platform?.shutdown()
    }
}
