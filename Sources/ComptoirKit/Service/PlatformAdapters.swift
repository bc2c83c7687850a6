import ComptoirContracts
import Foundation
import Logging
import ServiceLifecycle

/// The backends of one process: the event bus, the cache, the rate limits, the revocation list,
/// the blob stores and the mailer. The platform's assembly chooses them from the configuration
/// (ComptoirAdapters: RabbitMQ, Redis, S3 and SMTP, or their embedded stand-ins); a service is
/// handed what it gets through its ``ServiceEnvironment`` and never builds one itself.
public protocol PlatformAdapters: Sendable {
    var bus: any EventBus { get }
    /// Sessions ended before their access tokens expire.
    var revocations: any SessionRevocationList { get }
    /// The cache of `service`.
    func cache(for service: ServiceID) -> any Cache
    /// A rate limiter named `name`, shared by every replica when the backend allows.
    func rateLimiter(_ name: String) -> any RateLimiter
    /// The blob store of `service`.
    func blobStore(for service: ServiceID, logger: Logger) async throws -> any BlobStore
    /// The mailer of a service.
    func mailer(logger: Logger) throws -> any Mailer
    /// Readiness checks of what the process shares (the broker connection), added to each service's.
    var healthChecks: [HealthCheck] { get }
    /// What keeps the shared connections (the broker's), to run before the services and stop after them.
    var service: (any Service)? { get }
    /// The origin browsers fetch downloads from when blob stores hand out presigned URLs, for the
    /// storefront's content security policy.
    var directDownloadOrigin: String? { get }
    /// Whether events reach consumers in other processes.
    var crossesProcesses: Bool { get }
    /// Closes what ``PlatformAdapters`` opened for the process.
    func shutdown() async
    /// The tracing of one component (a service id or `gateway`), reporting as `comptoir-<component>`.
    func telemetry(for component: String) throws -> Telemetry
}

extension PlatformAdapters {
    /// No tracing, unless the adapters bring a backend.
    public func telemetry(for component: String) throws -> Telemetry { .off }
}
