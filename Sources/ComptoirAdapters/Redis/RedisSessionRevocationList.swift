import ComptoirKit
import Foundation
import Redis

/// The list in Redis, seen at once by every replica of every service.
public struct RedisSessionRevocationList: SessionRevocationList {
    let redis: RedisClient
    let prefix: String

    public init(redis: RedisClient, prefix: String) {
        self.redis = redis
        self.prefix = prefix
    }

    public func revoke(_ sessions: [UUID], for lifetime: Duration) async throws {
        let commands = sessions.map { session in
            RedisCommand("SET", [RedisArgument(key(session)), "1", "PX", RedisArgument(Int(lifetime.nanoseconds / 1_000_000) + 1000)])
        }
        for result in try await redis.pipeline(commands) { _ = try result.get() }
    }

    public func isRevoked(_ session: UUID) async throws -> Bool {
        try await redis.get(key(session)) != nil
    }

    private func key(_ session: UUID) -> String { prefix + session.uuidString.lowercased() }
}
