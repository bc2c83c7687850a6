import ComptoirAdapters
import ComptoirKit
import ComptoirTesting
import Foundation
import Logging
import Redis
import Testing

/// The Redis adapters against a real server (`COMPTOIR_TEST_REDIS_URL`, set by
/// scripts/integration-test); skipped without it, failing when it cannot be reached.
@Suite(.enabled(if: TestPlatform.redisURL != nil, "set COMPTOIR_TEST_REDIS_URL to run against a real redis-server"))
struct RedisAdapterTests {
    let prefix = "test:\(UUID().uuidString):"

    /// A client per simulated replica, closed after `body`.
    private func withReplicas(_ count: Int, _ body: ([RedisClient]) async throws -> Void) async throws {
        let clients = try (0..<count).map { _ in RedisClient(configuration: try RedisConfiguration(url: TestPlatform.redisURL!)) }
        do {
            try await body(clients)
        } catch {
            for client in clients { await client.close() }
            throw error
        }
        for client in clients { await client.close() }
    }

    @Test func theCacheDropsALoadThatAnInvalidationOvertook() async throws {
        try await withReplicas(2) { replicas in
            let reader = RedisCache(redis: replicas[0], prefix: prefix)
            let writer = RedisCache(redis: replicas[1], prefix: prefix)
            guard case .miss(let generation) = try await reader.lookup("product") else {
                Issue.record("expected a miss")
                return
            }
            try await writer.delete("product")
            try await reader.set("product", value: Array("stale".utf8), ttl: .seconds(60), ifGeneration: generation)
            #expect(try await writer.get("product") == nil)
            let fresh = try await reader.readThrough("product", ttl: .seconds(60)) { "fresh" }
            #expect(fresh == "fresh")
            #expect(try await writer.lookup("product") == .hit(Array("\"fresh\"".utf8)))
        }
    }

    @Test func twoReplicasDrawFromOneBucket() async throws {
        try await withReplicas(2) { replicas in
            // One token back every 6 minutes: a slow, loaded run cannot see a refill.
            let limit = RateLimit(capacity: 10, period: .seconds(3600))
            let limiters = replicas.map { RedisRateLimiter(redis: $0, prefix: prefix, logger: Logger(label: "test")) }
            var allowed = 0
            for index in 0..<30 {
                if case .allowed = await limiters[index % 2].consume("ip:203.0.113.9", limit: limit) { allowed += 1 }
            }
            #expect(allowed == 10, "the two replicas share one bucket of 10")
            guard case .limited(let retryAfter) = await limiters[0].consume("ip:203.0.113.9", limit: limit) else {
                Issue.record("the 31st request must be limited")
                return
            }
            #expect(retryAfter > .zero && retryAfter <= .seconds(361))
            if case .limited = await limiters[1].consume("ip:198.51.100.1", limit: limit) { Issue.record("another client has its own bucket") }
        }
    }

    @Test func theLimiterFallsBackToItsOwnBucketsWhenRedisIsUnreachable() async throws {
        var configuration = try RedisConfiguration(url: TestPlatform.redisURL!)
        configuration.port = 1
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let unreachable = RedisClient(configuration: configuration, logger: quiet)
        let limiter = RedisRateLimiter(redis: unreachable, prefix: prefix, logger: Logger(label: "test"))
        let limit = RateLimit(capacity: 3, period: .seconds(60))
        var decisions: [Bool] = []
        for _ in 0..<5 {
            if case .allowed = await limiter.consume("user:1", limit: limit) { decisions.append(true) } else { decisions.append(false) }
        }
        #expect(decisions == [true, true, true, false, false])
        await unreachable.close()
    }

    @Test func revokedSessionsAreSeenByEveryReplica() async throws {
        try await withReplicas(2) { replicas in
            let auth = RedisSessionRevocationList(redis: replicas[0], prefix: prefix)
            let gateway = RedisSessionRevocationList(redis: replicas[1], prefix: prefix)
            let session = UUID()
            #expect(try await gateway.isRevoked(session) == false)
            try await auth.revoke([session], for: .seconds(900))
            #expect(try await gateway.isRevoked(session))
            #expect(try await gateway.isRevoked(UUID()) == false)
        }
    }
}
