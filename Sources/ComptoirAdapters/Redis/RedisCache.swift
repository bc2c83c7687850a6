import ComptoirKit
import Redis

/// The cache in cluster mode: one Redis shared by every replica, keys under
/// `<COMPTOIR_REDIS_PREFIX><service>:`, each with a generation counter `<key>#gen`. Errors are
/// thrown, not hidden: callers treat any failure as a miss and read the source of truth, which
/// keeps requests answering while Redis is down (the client fails fast during its back-off).
public struct RedisCache: Cache {
    let redis: RedisClient
    let prefix: String

    public init(redis: RedisClient, prefix: String) {
        self.redis = redis
        self.prefix = prefix
    }

    /// How long a generation outlives its last change: far longer than any read in flight.
    static let generationLifetime = 3_600_000

    /// KEYS[1] the value, KEYS[2] its generation; ARGV value, expected generation, ttl in ms.
    static let setIfGeneration = RedisScript(
        """
        if (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
          return 1
        end
        return 0
        """
    )

    public func get(_ key: String) async throws -> [UInt8]? {
        try await redis.get(prefix + key)
    }

    public func lookup(_ key: String) async throws -> CacheLookup {
        let replies = try await redis.pipeline([
            RedisCommand("GET", [RedisArgument(prefix + key)]), RedisCommand("GET", [RedisArgument(prefix + key + "#gen")]),
        ])
        let value = try replies[0].get()
        if let bytes = value.bytes { return .hit(bytes) }
        let generation = try replies[1].get()
        return .miss(generation: generation.isNull ? 0 : UInt64(generation.int ?? 0))
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration) async throws {
        try await redis.set(prefix + key, to: value, expiry: ttl)
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration, ifGeneration generation: UInt64) async throws {
        let milliseconds = max(Int(ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000), 1)
        _ = try await redis.run(
            Self.setIfGeneration,
            keys: [prefix + key, prefix + key + "#gen"],
            arguments: [RedisArgument(value), RedisArgument(String(generation)), RedisArgument(milliseconds)]
        )
    }

    public func delete(_ key: String) async throws {
        let generation = RedisArgument(prefix + key + "#gen")
        for reply in try await redis.pipeline([
            RedisCommand("DEL", [RedisArgument(prefix + key)]), RedisCommand("INCR", [generation]),
            RedisCommand("PEXPIRE", [generation, RedisArgument(Self.generationLifetime)]),
        ]) {
            _ = try reply.get()
        }
    }

    public func ping() async throws {
        try await redis.ping()
    }
}
