import Foundation
import NIOConcurrencyHelpers

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
