/// Decides whether a client may make one more request: in-process token buckets now, a shared
/// Redis script when several replicas must agree. The gateway and the contact form use it.
public protocol RateLimiter: Sendable {
    func consume(_ key: String, limit: RateLimit) async -> RateDecision
}

public enum RateDecision: Equatable, Sendable {
    case allowed(remaining: Int)
    case limited(retryAfter: Duration)
}
