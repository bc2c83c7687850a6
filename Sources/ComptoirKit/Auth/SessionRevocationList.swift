import Foundation
import NIOConcurrencyHelpers
import Redis

/// The sessions whose access tokens must no longer be accepted, though not yet expired: auth
/// adds a session on logout, on a reused refresh token and when a password change ends the
/// other sessions; every ``TokenVerifier`` consults it. An entry lives as long as an access
/// token can, after which the token's own expiry refuses it.
public protocol SessionRevocationList: Sendable {
    func revoke(_ sessions: [UUID], for lifetime: Duration) async throws
    func isRevoked(_ session: UUID) async throws -> Bool
}

/// The list of one process: enough in embedded mode, where auth and the gateway share it.
public final class InMemorySessionRevocationList: SessionRevocationList {
    private let entries = NIOLockedValueBox([UUID: ContinuousClock.Instant]())

    public init() {}

    public func revoke(_ sessions: [UUID], for lifetime: Duration) async throws {
        let until = ContinuousClock.now + lifetime
        entries.withLockedValue { entries in
            let now = ContinuousClock.now
            entries = entries.filter { $0.value > now }
            for session in sessions { entries[session] = until }
        }
    }

    public func isRevoked(_ session: UUID) async throws -> Bool {
        entries.withLockedValue { $0[session].map { $0 > .now } ?? false }
    }
}

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
