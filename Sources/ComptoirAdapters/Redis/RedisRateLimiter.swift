import ComptoirKit
import Logging
import Redis

/// Token buckets in Redis, so every gateway replica draws from the same bucket. One Lua
/// script reads, refills, takes and writes a bucket atomically on the server, with the
/// server's clock (replicas' clocks never disagree about a refill).
///
/// When Redis cannot answer, the decision falls back to this process's own buckets: a client
/// may then get up to one limit per replica, which beats refusing everyone or no limit at all.
public struct RedisRateLimiter: RateLimiter {
    let redis: RedisClient
    let prefix: String
    let fallback: TokenBucketLimiter
    let logger: Logger

    public init(redis: RedisClient, prefix: String, fallback: TokenBucketLimiter = TokenBucketLimiter(), logger: Logger) {
        self.redis = redis
        self.prefix = prefix
        self.fallback = fallback
        self.logger = logger
    }

    /// KEYS[1] the bucket; ARGV capacity, refill per millisecond, now is read from the server.
    /// Returns {allowed (1/0), remaining tokens, milliseconds until one token}.
    static let script = RedisScript(
        """
        local capacity = tonumber(ARGV[1])
        local per_ms = tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
        local tokens = tonumber(bucket[1]) or capacity
        local updated = tonumber(bucket[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - updated) * per_ms)
        local allowed = 0
        local wait = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        else
          wait = math.ceil((1 - tokens) / per_ms)
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', now)
        redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
        return {allowed, math.floor(tokens), wait}
        """
    )

    public func consume(_ key: String, limit: RateLimit) async -> RateDecision {
        let perMillisecond = limit.refillPerSecond / 1000
        do {
            let reply = try await redis.run(
                Self.script,
                keys: [prefix + key],
                arguments: [RedisArgument(limit.bucketCapacity), RedisArgument(String(perMillisecond))]
            )
            guard let values = reply.elements, values.count == 3, let allowed = values[0].int, let remaining = values[1].int, let wait = values[2].int
            else {
                throw RedisError.unexpectedReply(reply)
            }
            return allowed == 1 ? .allowed(remaining: Int(remaining)) : .limited(retryAfter: .milliseconds(max(wait, 1)))
        } catch {
            logger.debug("shared rate limit unavailable; using this process's buckets", metadata: ["error": "\(error)"])
            return await fallback.consume(key, limit: limit)
        }
    }
}
