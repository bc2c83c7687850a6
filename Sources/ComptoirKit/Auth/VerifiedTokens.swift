import Foundation
import NIOConcurrencyHelpers

/// Access tokens already verified, with the principal each stands for, until they expire.
///
/// Verifying an EdDSA signature costs more than the rest of an authenticated read, and every
/// request of a session carries the same token to the gateway and then to the service: checked
/// once, a token is then known by its exact text (a token differing in one byte is verified
/// afresh). Revocation is not cached: ``TokenVerifier`` asks the revocation list every time.
final class VerifiedTokens: Sendable {
    private struct Entry {
        var principal: Principal
        var expires: Date
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// At most this many tokens are held; a full table drops its expired entries, then all.
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 1)
    }

    /// The principal of `token` if it was verified and has not expired at `now`.
    func principal(for token: String, now: Date = Date()) -> Principal? {
        entries.withLockedValue { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries[token] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Remembers a verified token until `expires`.
    func remember(_ token: String, as principal: Principal, until expires: Date, now: Date = Date()) {
        entries.withLockedValue { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = Entry(principal: principal, expires: expires)
        }
    }
}
