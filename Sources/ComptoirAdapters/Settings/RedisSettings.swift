import ComptoirKit
import Redis

/// How the platform uses Redis: the server (`COMPTOIR_REDIS_URL`), the prefix of every key
/// (`COMPTOIR_REDIS_PREFIX`, so that two platforms can share one server), the pool size
/// (`COMPTOIR_REDIS_POOL_SIZE`) and the command timeout (`COMPTOIR_REDIS_TIMEOUT`).
public struct RedisSettings: Sendable {
    public var client: RedisConfiguration
    public var keyPrefix: String

    /// `nil` when `COMPTOIR_REDIS_URL` is unset: the in-memory adapters are used.
    public init?(environment env: EnvironmentReader) throws {
        guard let url = env.string("COMPTOIR_REDIS_URL") else { return nil }
        do {
            client = try RedisConfiguration(url: url)
        } catch {
            throw ConfigurationError(
                "COMPTOIR_REDIS_URL",
                "must look like redis://[[user]:password@]host[:port][/database] (got \"\(EnvironmentReader.redacted(url))\")"
            )
        }
        client.poolSize = try env.int("COMPTOIR_REDIS_POOL_SIZE", default: 4, in: 1...64)
        client.commandTimeout = try env.duration("COMPTOIR_REDIS_TIMEOUT", default: .milliseconds(500))
        client.connectTimeout = client.commandTimeout * 2
        keyPrefix = env.string("COMPTOIR_REDIS_PREFIX") ?? "comptoir:"
        guard keyPrefix.count <= 64, !keyPrefix.contains(where: { $0.isWhitespace || $0 == "*" || $0 == "?" || $0 == "[" }) else {
            throw ConfigurationError("COMPTOIR_REDIS_PREFIX", "must be at most 64 characters without spaces or * ? [ (got \"\(keyPrefix)\")")
        }
    }
}
