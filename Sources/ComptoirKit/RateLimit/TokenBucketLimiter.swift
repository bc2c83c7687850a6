import NIOConcurrencyHelpers

/// Token buckets in memory: each key holds up to `capacity` tokens, refilled continuously at
/// `capacity / period`; a request takes one. Idle buckets are dropped once full again.
public final class TokenBucketLimiter: RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = NIOLockedValueBox([String: Bucket]())
    private let maximumKeys: Int

    public init(maximumKeys: Int = 100_000) {
        self.maximumKeys = maximumKeys
    }

    public func consume(_ key: String, limit: RateLimit) async -> RateDecision {
        consume(key, limit: limit, now: .now)
    }

    func consume(_ key: String, limit: RateLimit, now: ContinuousClock.Instant) -> RateDecision {
        let capacity = Double(limit.bucketCapacity)
        let perSecond = limit.refillPerSecond
        return buckets.withLockedValue { buckets in
            if buckets.count >= maximumKeys { Self.prune(&buckets, now: now, perSecond: perSecond, capacity: capacity) }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = Double((now - bucket.updated).nanoseconds) / 1e9
            bucket.tokens = min(capacity, bucket.tokens + elapsed * perSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                // At most one period (capacity ≥ 1), which `nanoseconds` keeps under 292 years.
                let wait = (1 - bucket.tokens) / perSecond
                return .limited(retryAfter: .milliseconds(Int64((wait * 1000).rounded(.up))))
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            return .allowed(remaining: Int(bucket.tokens))
        }
    }

    /// Forgets buckets that have refilled completely: they hold no information.
    private static func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, perSecond: Double, capacity: Double) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + Double((now - bucket.updated).nanoseconds) / 1e9 * perSecond < capacity
        }
    }
}
