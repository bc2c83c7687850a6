import ComptoirKit
import CoreMetrics
import Foundation
import Hummingbird

/// Limits requests per client IP on the API (not on the storefront's static files).
struct ClientRateLimitMiddleware: RouterMiddleware {
    typealias Context = ComptoirRequestContext
    let limiter: any RateLimiter
    let limit: RateLimit
    let trustedProxies: TrustedProxies
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        let ip = Self.clientIP(request, context: context, trustedProxies: trustedProxies)
        if case .limited(let retryAfter) = await limiter.consume("ip:\(ip)", limit: limit) {
            metrics.counter("gateway_rate_limited_total", [("scope", "ip")]).increment()
            throw ProblemError.tooManyRequests(retryAfter: retryAfter.secondsRoundedUp, "Too many requests from this address; slow down.")
        }
        return try await next(request, context)
    }

    /// The TCP peer, or the last `X-Forwarded-For` entry when the peer is a trusted proxy
    /// (a load balancer in front of the gateway); at most 64 characters, as services read it.
    static func clientIP(_ request: Request, context: Context, trustedProxies: TrustedProxies) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        if trustedProxies.contains(peer),
            let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !forwarded.isEmpty
        {
            return String(forwarded.prefix(64))
        }
        return peer
    }
}
