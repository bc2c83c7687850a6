import ComptoirContracts
import ComptoirKit
import Foundation

/// The gateway's own settings: limits, timeouts, circuit breaking, CORS and TLS.
public struct GatewayConfiguration: Sendable {
    /// Requests a client IP may make: `capacity` at once, refilled over `period` (`COMPTOIR_RATE_LIMIT_IP`, e.g. `300/1m`).
    public var ipRateLimit: RateLimit
    /// The same per authenticated user (`COMPTOIR_RATE_LIMIT_USER`).
    public var userRateLimit: RateLimit
    /// How long the gateway waits for an upstream's response head (`COMPTOIR_UPSTREAM_TIMEOUT`).
    public var upstreamTimeout: Duration
    /// Per-service overrides (`COMPTOIR_UPSTREAM_TIMEOUT_<ID>`, e.g. `COMPTOIR_UPSTREAM_TIMEOUT_SAV=60s` for uploads).
    public var upstreamTimeouts: [ServiceID: Duration]
    /// Consecutive upstream failures that open its circuit (`COMPTOIR_CIRCUIT_FAILURES`).
    public var circuitFailureThreshold: Int
    /// How long an open circuit refuses calls before letting one through (`COMPTOIR_CIRCUIT_COOLDOWN`).
    public var circuitCooldown: Duration
    /// Origins allowed by CORS (`COMPTOIR_CORS_ORIGINS`, comma-separated, or `*`); empty disables CORS.
    public var corsOrigins: [String]
    /// PEM certificate chain and key; when both are set the gateway speaks TLS 1.3 only.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Clients whose `X-Forwarded-For` is believed (`COMPTOIR_TRUSTED_PROXIES`, addresses and CIDR ranges).
    public var trustedProxies: TrustedProxies
    /// The largest `Content-Length` the gateway forwards (`COMPTOIR_GATEWAY_MAX_BODY_SIZE`): more than any route
    /// accepts (ticket attachments take 10 MiB), so a larger one is refused at once instead of streamed to a service.
    public var maxRequestBodySize: Int

    /// A token bucket: `capacity` tokens, refilled continuously so that a full refill takes `period`.
    /// The response-head timeout of one upstream.
    public func timeout(for service: ServiceID) -> Duration { upstreamTimeouts[service] ?? upstreamTimeout }

    public init(environment env: EnvironmentReader) throws {
        self.ipRateLimit =
            try env.string("COMPTOIR_RATE_LIMIT_IP").map { try .parse($0, variable: "COMPTOIR_RATE_LIMIT_IP") }
            ?? RateLimit(capacity: 600, period: .seconds(60))
        self.userRateLimit =
            try env.string("COMPTOIR_RATE_LIMIT_USER").map { try .parse($0, variable: "COMPTOIR_RATE_LIMIT_USER") }
            ?? RateLimit(capacity: 1200, period: .seconds(60))
        self.upstreamTimeout = try env.duration("COMPTOIR_UPSTREAM_TIMEOUT", default: .seconds(10))
        var timeouts: [ServiceID: Duration] = [:]
        for service in ServiceID.allCases {
            let name = "COMPTOIR_UPSTREAM_TIMEOUT_\(service.environmentName)"
            if env.string(name) != nil { timeouts[service] = try env.duration(name, default: upstreamTimeout) }
        }
        self.upstreamTimeouts = timeouts
        self.circuitFailureThreshold = try env.int("COMPTOIR_CIRCUIT_FAILURES", default: 5, in: 1...10_000)
        self.circuitCooldown = try env.duration("COMPTOIR_CIRCUIT_COOLDOWN", default: .seconds(10))
        self.corsOrigins = env.list("COMPTOIR_CORS_ORIGINS")
        self.tlsCertificateFile = env.string("COMPTOIR_TLS_CERT_FILE")
        self.tlsKeyFile = env.string("COMPTOIR_TLS_KEY_FILE")
        if (tlsCertificateFile == nil) != (tlsKeyFile == nil) {
            throw ConfigurationError(
                tlsCertificateFile == nil ? "COMPTOIR_TLS_CERT_FILE" : "COMPTOIR_TLS_KEY_FILE",
                "COMPTOIR_TLS_CERT_FILE and COMPTOIR_TLS_KEY_FILE must be set together"
            )
        }
        for (name, path) in [("COMPTOIR_TLS_CERT_FILE", tlsCertificateFile), ("COMPTOIR_TLS_KEY_FILE", tlsKeyFile)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ConfigurationError(name, "cannot read \(path)")
            }
        }
        self.trustedProxies = try TrustedProxies(env.list("COMPTOIR_TRUSTED_PROXIES"))
        self.maxRequestBodySize = try env.int("COMPTOIR_GATEWAY_MAX_BODY_SIZE", default: 16 << 20, in: 1024...(1 << 30))
    }
}
