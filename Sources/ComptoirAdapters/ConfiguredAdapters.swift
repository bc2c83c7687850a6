import AMQP
import AsyncHTTPClient
import ComptoirContracts
import ComptoirKit
import Foundation
import Logging
import Redis
import ServiceLifecycle

/// The backends of a process as its configuration names them: RabbitMQ, Redis, S3 and SMTP when
/// their variables are set, otherwise the in-process bus, in-memory caches and limits, and files
/// under the data directory.
public struct ConfiguredAdapters: PlatformAdapters {
    public let settings: AdapterSettings
    public let bus: any EventBus
    public let revocations: any SessionRevocationList
    /// The process's Redis client when `COMPTOIR_REDIS_URL` is set; closed by ``shutdown()``.
    public let redis: RedisClient?
    let configuration: ComptoirConfiguration
    let httpClient: HTTPClient
    let logger: Logger

    /// - Parameter bus: a bus to use instead of the configured one (tests that share one).
    public init(configuration: ComptoirConfiguration, bus: (any EventBus)? = nil, httpClient: HTTPClient = .shared, logger: Logger) throws {
        let settings = try AdapterSettings(environment: configuration.environment)
        self.settings = settings
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        if let bus {
            self.bus = bus
        } else if var amqp = settings.amqp {
            amqp.client.connectionName = "comptoir \(ProcessInfo.processInfo.hostName) \(ProcessInfo.processInfo.processIdentifier)"
            self.bus = AMQPEventBus(client: AMQPClient(configuration: amqp.client, logger: logger), namespace: amqp.namespace, logger: logger)
        } else {
            self.bus = InProcessEventBus()
        }
        let redis = settings.redis.map { RedisClient(configuration: $0.client, logger: logger) }
        self.redis = redis
        if let redis, let prefix = settings.redis?.keyPrefix {
            self.revocations = RedisSessionRevocationList(redis: redis, prefix: prefix + "auth:revoked:")
        } else {
            self.revocations = InMemorySessionRevocationList()
        }
    }

    /// Redis keys under `<prefix><service>:` when there is Redis, else in memory; none with `COMPTOIR_CACHE=off`.
    public func cache(for service: ServiceID) -> any Cache {
        guard configuration.cacheEnabled else { return DisabledCache() }
        guard let redis, let redisSettings = settings.redis else { return InMemoryCache() }
        return RedisCache(redis: redis, prefix: redisSettings.keyPrefix + service.rawValue + ":")
    }

    /// Shared by every replica through Redis when there is one (falling back to this process's
    /// buckets while Redis is down), else this process's own.
    public func rateLimiter(_ name: String) -> any RateLimiter {
        guard let redis, let redisSettings = settings.redis else { return TokenBucketLimiter() }
        return RedisRateLimiter(redis: redis, prefix: redisSettings.keyPrefix + "ratelimit:" + name + ":", logger: logger)
    }

    /// The service's prefix of the S3 bucket, or its folder under `<data>/blobs/`.
    public func blobStore(for service: ServiceID, logger: Logger) async throws -> any BlobStore {
        guard let s3 = settings.s3 else {
            return try FileBlobStore(root: configuration.dataDirectory.appendingPathComponent("blobs").appendingPathComponent(service.rawValue))
        }
        let store = S3BlobStore(settings: s3, service: service, httpClient: httpClient)
        do {
            try await store.ensureBucket()
        } catch {
            // Not fatal: readiness reports the store until it answers.
            logger.warning("cannot reach the object store's bucket yet", metadata: ["bucket": .string(s3.bucket), "error": .string("\(error)")])
        }
        return store
    }

    /// SMTP, or `.eml` files under `<data>/mail/`.
    public func mailer(logger: Logger) throws -> any Mailer {
        if let smtp = settings.smtp { return SMTPMailer(configuration: smtp.client, logger: logger) }
        return try FileMailer(directory: configuration.dataDirectory.appendingPathComponent("mail"))
    }

    /// `events`: the broker connection, when events go through RabbitMQ.
    public var healthChecks: [HealthCheck] {
        guard let bus = bus as? AMQPEventBus else { return [] }
        return [HealthCheck("events") { try bus.checkConnected() }]
    }

    public var service: (any Service)? { (bus as? AMQPEventBus)?.service }

    public var directDownloadOrigin: String? {
        guard let s3 = settings.s3, s3.presignedDownloads != nil, let scheme = s3.publicEndpoint.scheme, let host = s3.publicEndpoint.host else {
            return nil
        }
        return "\(scheme)://\(host)" + (s3.publicEndpoint.port.map { ":\($0)" } ?? "")
    }

    public var crossesProcesses: Bool { bus is AMQPEventBus }

    public func shutdown() async {
        await redis?.close()
    }

    /// A tracer of its own for `component` when `COMPTOIR_OTLP_ENDPOINT` is set, else none.
    public func telemetry(for component: String) throws -> Telemetry {
        guard let tracing = settings.tracing else { return .off }
        return try OTLPTelemetry.make(component: component, settings: tracing, logger: logger)
    }

    /// Puts the current span's `trace_id` and `span_id` on every log line (for `LoggingSystem.bootstrap`).
    public static var loggingMetadataProvider: Logger.MetadataProvider { OTLPTelemetry.loggingMetadataProvider }
}

extension PlatformResources {
    /// The resources of a process with the backends its configuration names (``ConfiguredAdapters``).
    /// - Parameters:
    ///   - hostsAuth: whether this process runs the auth service, which owns the signing key.
    ///   - bus: a bus to use instead of the configured one.
    public static func configured(
        _ configuration: ComptoirConfiguration,
        hostsAuth: Bool,
        bus: (any EventBus)? = nil,
        logger: Logger
    ) async throws -> PlatformResources {
        let adapters = try ConfiguredAdapters(configuration: configuration, bus: bus, logger: logger)
        return try await PlatformResources(configuration: configuration, hostsAuth: hostsAuth, adapters: adapters, logger: logger)
    }
}
