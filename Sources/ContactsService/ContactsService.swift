import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The contacts service: the public contact form, validated, guarded by a honeypot field and a
/// per-address rate limit, each message routed by topic to a team (mailed by newsletters).
public struct ContactsService: ComptoirService {
    public static let id = ServiceID.contacts

    let environment: ServiceEnvironment
    let limiter: any RateLimiter

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
        self.limiter = environment.platform.rateLimiter("contacts")
        environment.metrics.startAtZero("contacts_received_total", environment.configuration.contactRoutes.keys.sorted().map { [("topic", $0)] })
        environment.metrics.startAtZero("contacts_spam_total")
        environment.metrics.startAtZero("contacts_rate_limited_total")
    }

    public var migrations: [any Migration] { [CreateContactMessages()] }

    public func declare(_ api: ServiceAPI) {
        ContactRoutes(environment: environment, limiter: limiter).declare(api)
    }
}
