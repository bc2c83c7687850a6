import ComptoirKit

/// Decides whether a client may make one more request: in-process token buckets now, a shared
/// Redis script when several gateway replicas must agree.
protocol RateLimiter: Sendable {
    func consume(_ key: String, limit: GatewayConfiguration.RateLimit) async -> RateDecision
}

enum RateDecision: Equatable, Sendable {
    case allowed(remaining: Int)
    case limited(retryAfter: Duration)
}
