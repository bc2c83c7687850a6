import FluentKit
import Foundation

/// Locks an account after `limit` failed logins within `window`, until the oldest of them
/// leaves the window. Unknown e-mails are never locked (there is no account to protect).
struct LoginThrottle: Sendable {
    var limit = 5
    var window: Duration = .seconds(15 * 60)

    /// When the account is locked, the moment it unlocks.
    func lockedUntil(_ userId: UUID, on database: any Database, now: Date = Date()) async throws -> Date? {
        let recent = try await LoginFailure.query(on: database)
            .filter(\.$userId == userId).filter(\.$at > now.addingTimeInterval(-windowSeconds))
            .sort(\.$at, .descending).limit(limit).all()
        guard recent.count >= limit else { return nil }
        let until = recent[limit - 1].at.addingTimeInterval(windowSeconds)
        return until > now ? until : nil
    }

    /// Records a failure; returns the unlock time when this failure locked the account.
    func recordFailure(_ userId: UUID, on database: any Database) async throws -> Date? {
        try await LoginFailure(userId: userId).create(on: database)
        // Old rows serve no purpose; pruning them here keeps the table small.
        try await LoginFailure.query(on: database).filter(\.$userId == userId).filter(\.$at < Date().addingTimeInterval(-windowSeconds)).delete()
        return try await lockedUntil(userId, on: database)
    }

    func reset(_ userId: UUID, on database: any Database) async throws {
        try await LoginFailure.query(on: database).filter(\.$userId == userId).delete()
    }

    private var windowSeconds: Double { Double(window.components.seconds) }
}
