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
        self.metrics = ServiceMetrics()
        self.database = try await ServiceDatabase(service: id, configuration: configuration, logger: logger)
        self.outbox = Outbox(service: id)
        self.inbox = Inbox(database: database, metrics: metrics)
        self.cache = MeteredCache(platform.cache(for: id.rawValue), metrics: metrics)
        if let s3 = configuration.s3 {
            let store = S3BlobStore(settings: s3, service: id, httpClient: platform.httpClient)
            do {
                try await store.ensureBucket()
            } catch {
                // Not fatal: readiness reports the store until it answers.
                logger.warning("cannot reach the object store's bucket yet", metadata: ["bucket": .string(s3.bucket), "error": .string("\(error)")])
            }
            self.blobs = store
        } else {
            self.blobs = try FileBlobStore(root: configuration.dataDirectory.appendingPathComponent("blobs").appendingPathComponent(id.rawValue))
        }
        if let smtp = configuration.smtp {
            self.mailer = SMTPMailer(configuration: smtp.client, logger: logger)
        } else {
            self.mailer = try FileMailer(directory: configuration.dataDirectory.appendingPathComponent("mail"))
        }
        self.client = InternalClient(
            httpClient: platform.httpClient, serviceURLs: configuration.serviceURLs.filter { calls.contains($0.key) },
            tokens: ServiceTokenIssuer(signer: platform.serviceSigner, service: id))
    }

    /// The dependencies `/health/ready` checks.
    public var healthChecks: [HealthCheck] {
        var checks = [
            HealthCheck("database") { try await database.ping() },
            HealthCheck("cache", critical: false) { try await cache.ping() },
            HealthCheck("blobs") { try await blobs.ping() },
            // Mail waits in newsletters' queue while SMTP is down: a degraded service, not a failing one.
            HealthCheck("mail", critical: !(mailer is SMTPMailer)) { try await mailer.ping() },
        ]
        if let bus = platform.bus as? AMQPEventBus { checks.append(HealthCheck("events") { try bus.checkConnected() }) }
        return checks
    }
}
