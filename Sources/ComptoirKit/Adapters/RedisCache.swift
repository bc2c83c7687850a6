import Redis

/// The cache in cluster mode: one Redis shared by every replica, keys under
/// `<COMPTOIR_REDIS_PREFIX><service>:`. Errors are thrown, not hidden: callers treat any
/// failure as a miss and read the source of truth, which is what keeps requests answering
/// while Redis is down (the client fails fast during its reconnection back-off).
public struct RedisCache: Cache {
    let redis: RedisClient
    let prefix: String

    public init(redis: RedisClient, prefix: String) {
        self.redis = redis
        self.prefix = prefix
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        try await redis.get(prefix + key)
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration) async throws {
        try await redis.set(prefix + key, to: value, expiry: ttl)
    }

    public func delete(_ key: String) async throws {
        try await redis.delete([prefix + key])
    }

    public func ping() async throws {
        try await redis.ping()
    }
}
