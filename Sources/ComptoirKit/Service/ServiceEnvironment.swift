import ComptoirContracts
import Foundation
import Logging

/// Everything a service is given to do its work; the service never builds an adapter itself.
public struct ServiceEnvironment: Sendable {
    public let id: ServiceID
    public let configuration: ComptoirConfiguration
    public let logger: Logger
    public let database: ServiceDatabase
    public let outbox: Outbox
    public let inbox: Inbox
    public let cache: any Cache
    public let blobs: any BlobStore
    public let mailer: any Mailer
    public let metrics: ServiceMetrics
    /// The service's tracing, reporting as `comptoir-<id>` (``Telemetry/off`` unless configured).
    public let telemetry: Telemetry
    public let platform: PlatformResources
    public let client: InternalClient
    /// Whether to load demo data on an empty database (`--no-demo` turns it off).
    public let loadDemoData: Bool

    /// Opens the service's database and adapters as the configuration says; `calls` are the
    /// services its client may reach (``ComptoirService/calls``).
    public init(id: ServiceID, platform: PlatformResources, loadDemoData: Bool, calls: Set<ServiceID> = []) async throws {
        let configuration = platform.configuration
        var logger = platform.logger
        logger[metadataKey: "service"] = .string(id.rawValue)
        self.id = id
        self.configuration = configuration
        self.logger = logger
        self.platform = platform
        self.loadDemoData = loadDemoData
        let metrics = ServiceMetrics(build: configuration.build)
        let telemetry = try platform.adapters.telemetry(for: id.rawValue)
        self.metrics = metrics
        self.telemetry = telemetry
        self.database = try await ServiceDatabase(service: id, configuration: configuration, logger: logger, telemetry: telemetry, metrics: metrics)
        self.outbox = Outbox(service: id, telemetry: telemetry)
        self.inbox = Inbox(database: database, metrics: metrics)
        self.cache = MeteredCache(platform.cache(for: id), metrics: metrics, telemetry: telemetry)
        let blobs = try await platform.adapters.blobStore(for: id, logger: logger)
        let mailer = try platform.adapters.mailer(logger: logger)
        self.blobs = telemetry.isOn ? TracedBlobStore(blobs, telemetry: telemetry) : blobs
        self.mailer = telemetry.isOn ? TracedMailer(mailer, telemetry: telemetry) : mailer
        self.client = InternalClient(
            httpClient: platform.httpClient,
            serviceURLs: configuration.serviceURLs.filter { calls.contains($0.key) },
            tokens: ServiceTokenIssuer(signer: platform.serviceSigner, service: id),
            telemetry: telemetry
        )
    }

    /// The dependencies `/health/ready` checks.
    public var healthChecks: [HealthCheck] {
        [
            HealthCheck("database") { try await database.ping() },
            HealthCheck("cache", critical: false) { try await cache.ping() },
            HealthCheck("blobs") { try await blobs.ping() },
            // Mail waits in newsletters' queue while SMTP is down: a degraded service, not a failing one.
            HealthCheck("mail", critical: !mailer.queuesWhileUnavailable) { try await mailer.ping() },
        ] + platform.adapters.healthChecks
    }
}
