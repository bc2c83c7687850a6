import AsyncHTTPClient
import ComptoirContracts
import Foundation
import Logging
import ServiceLifecycle

/// What every component of one process shares: configuration, the backends, the HTTP client,
/// the keys and the token verifier. Built once by the `comptoir` command (or a test) and handed
/// to each service and the gateway.
public struct PlatformResources: Sendable {
    public let configuration: ComptoirConfiguration
    /// The backends the configuration chose (ComptoirAdapters).
    public let adapters: any PlatformAdapters
    public let httpClient: HTTPClient
    /// Auth's signing key; present only in a process that runs auth.
    public let userSigningKey: SigningKey?
    /// The key of internal service tokens.
    public let serviceSigner: TokenSigner
    public let verifier: TokenVerifier
    public let logger: Logger

    /// - Parameters:
    ///   - hostsAuth: whether this process runs the auth service, which owns the signing key.
    public init(configuration: ComptoirConfiguration, hostsAuth: Bool, adapters: any PlatformAdapters, logger: Logger) async throws {
        self.configuration = configuration
        if configuration.faults.isActive {
            logger.warning("fault injection is on (crash tests only)", metadata: ["faults": .string(configuration.faults.summary)])
        }
        self.adapters = adapters
        self.httpClient = HTTPClient.shared
        self.logger = logger
        let keysDirectory = configuration.dataDirectory.appendingPathComponent("keys")
        let userKey =
            hostsAuth || configuration.jwtPrivateKey != nil
            ? try SigningKey.load(
                text: configuration.jwtPrivateKey,
                variable: "COMPTOIR_JWT_PRIVATE_KEY",
                file: keysDirectory.appendingPathComponent("jwt-ed25519.key")
            )
            : nil
        self.userSigningKey = userKey
        let serviceKey = try SigningKey.load(
            text: configuration.serviceKey,
            variable: "COMPTOIR_SERVICE_KEY",
            file: keysDirectory.appendingPathComponent("service-ed25519.key")
        )
        self.serviceSigner = await TokenSigner(key: serviceKey)
        var publicKeys: [PublicJWK] = []
        if let text = configuration.jwtPublicKeys {
            guard let jwks = try? JSONDecoder().decode(PublicJWKS.self, from: Data(text.utf8)) else {
                throw ConfigurationError(
                    "COMPTOIR_JWT_PUBLIC_KEYS",
                    "must be a JWKS document: {\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":...,\"kid\":...}]}"
                )
            }
            publicKeys = jwks.keys
        }
        if let userKey { publicKeys.append(userKey.publicJWK) }
        let jwksURL = configuration.serviceURLs[.auth].map { $0.appendingPathComponent("auth/jwks.json") }
        self.verifier = try await TokenVerifier(
            userKeys: publicKeys,
            serviceKey: serviceKey.publicJWK,
            jwksURL: userKey == nil ? jwksURL : nil,
            revocations: adapters.revocations,
            httpClient: httpClient,
            logger: logger
        )
    }

    public var bus: any EventBus { adapters.bus }

    /// OpenTelemetry's `messaging.system` of the events' spans.
    public var messagingSystem: String { adapters.crossesProcesses ? "rabbitmq" : "in_process" }

    /// The cache of `service`.
    public func cache(for service: ServiceID) -> any Cache { adapters.cache(for: service) }

    /// A rate limiter named `name`.
    public func rateLimiter(_ name: String) -> any RateLimiter { adapters.rateLimiter(name) }

    /// What keeps the bus's connection, to run before the services and stop after them; `nil`
    /// for the in-process bus.
    public var busService: (any Service)? { adapters.service }

    /// Closes what the process opened once for all its components.
    public func shutdown() async {
        await adapters.shutdown()
    }
}
