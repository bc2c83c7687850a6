import AMQP
import AsyncHTTPClient
import ComptoirContracts
import Foundation
import Logging
import Redis
import ServiceLifecycle

/// What every component of one process shares: configuration, the event bus, the HTTP client,
/// the keys and the token verifier. Built once by the `comptoir` command (or a test) and handed
/// to each service and the gateway.
public struct PlatformResources: Sendable {
    public let configuration: ComptoirConfiguration
    public let bus: any EventBus
    public let httpClient: HTTPClient
    /// Auth's signing key; present only in a process that runs auth.
    public let userSigningKey: SigningKey?
    /// The key of internal service tokens.
    public let serviceSigner: TokenSigner
    public let verifier: TokenVerifier
    /// The process's Redis client when `COMPTOIR_REDIS_URL` is set; closed by ``shutdown()``.
    public let redis: RedisClient?
    /// Sessions ended before their access tokens expire; in Redis when there is one.
    public let revocations: any SessionRevocationList
    public let logger: Logger

    /// - Parameters:
    ///   - hostsAuth: whether this process runs the auth service, which owns the signing key.
    public init(configuration: ComptoirConfiguration, hostsAuth: Bool, bus: (any EventBus)? = nil, logger: Logger) async throws {
        self.configuration = configuration
        if configuration.faults.isActive {
            logger.warning("fault injection is on (crash tests only)", metadata: ["faults": .string(configuration.faults.summary)])
        }
        if let bus {
            self.bus = bus
        } else if var amqp = configuration.amqp {
            amqp.connectionName = "comptoir \(ProcessInfo.processInfo.hostName) \(ProcessInfo.processInfo.processIdentifier)"
            self.bus = AMQPEventBus(client: AMQPClient(configuration: amqp, logger: logger), namespace: configuration.amqpNamespace, logger: logger)
        } else {
            self.bus = InProcessEventBus()
        }
        self.httpClient = HTTPClient.shared
        self.logger = logger
        let redis = configuration.redis.map { RedisClient(configuration: $0.client, logger: logger) }
        self.redis = redis
        if let redis, let prefix = configuration.redis?.keyPrefix {
            self.revocations = RedisSessionRevocationList(redis: redis, prefix: prefix + "auth:revoked:")
        } else {
            self.revocations = InMemorySessionRevocationList()
        }
        let keysDirectory = configuration.dataDirectory.appendingPathComponent("keys")
        let userKey =
            hostsAuth || configuration.jwtPrivateKey != nil
            ? try SigningKey.load(
                text: configuration.jwtPrivateKey, variable: "COMPTOIR_JWT_PRIVATE_KEY", file: keysDirectory.appendingPathComponent("jwt-ed25519.key"))
            : nil
        self.userSigningKey = userKey
        let serviceKey = try SigningKey.load(
            text: configuration.serviceKey, variable: "COMPTOIR_SERVICE_KEY", file: keysDirectory.appendingPathComponent("service-ed25519.key"))
        self.serviceSigner = await TokenSigner(key: serviceKey)
        var publicKeys: [PublicJWK] = []
        if let text = configuration.jwtPublicKeys {
            guard let jwks = try? JSONDecoder().decode(PublicJWKS.self, from: Data(text.utf8)) else {
                throw ConfigurationError("COMPTOIR_JWT_PUBLIC_KEYS", "must be a JWKS document: {\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":...,\"kid\":...}]}")
            }
            publicKeys = jwks.keys
        }
        if let userKey { publicKeys.append(userKey.publicJWK) }
        let jwksURL = configuration.serviceURLs[.auth].map { $0.appendingPathComponent("auth/jwks.json") }
        self.verifier = try await TokenVerifier(
            userKeys: publicKeys, serviceKey: serviceKey.publicJWK, jwksURL: userKey == nil ? jwksURL : nil, revocations: revocations, httpClient: httpClient,
            logger: logger)
    }

    /// The cache of `service`: Redis keys under `<prefix><service>:` when there is Redis, else in
    /// memory; none with `COMPTOIR_CACHE=off`.
    public func cache(for service: String) -> any Cache {
        guard configuration.cacheEnabled else { return DisabledCache() }
        guard let redis, let settings = configuration.redis else { return InMemoryCache() }
        return RedisCache(redis: redis, prefix: settings.keyPrefix + service + ":")
    }

    /// A rate limiter named `name`: shared by every replica through Redis when there is one
    /// (falling back to this process's buckets while Redis is down), else this process's own.
    public func rateLimiter(_ name: String) -> any RateLimiter {
        guard let redis, let settings = configuration.redis else { return TokenBucketLimiter() }
        return RedisRateLimiter(redis: redis, prefix: settings.keyPrefix + "ratelimit:" + name + ":", logger: logger)
    }

    /// What keeps the bus's connection, to run before the services and stop after them; `nil`
    /// for the in-process bus.
    public var busService: (any Service)? { (bus as? AMQPEventBus)?.service }

    /// Closes what the process opened once for all its components.
    public func shutdown() async {
        await redis?.close()
    }
}
