import FluentKit
import Foundation

/// Slows password guessing without handing a stranger a way to lock the owner out (issue 16).
///
/// Failures are counted per account and client address within `window`. From one address, the
/// first `sourceLimit` failures cost nothing; after them every attempt must wait, twice as long
/// after each further failure (`firstDelay`, then 2×, 4×, … up to `maximumDelay`). The owner
/// at another address is not slowed by that attacker. Across all addresses, failures beyond
/// `accountLimit` slow every address a little (`accountDelay`, doubling, at most
/// `maximumAccountDelay`), which bounds a guesser with many addresses while costing the owner
/// seconds, not the window. A successful login or a password reset clears the account's count.
/// Unknown e-mails are never throttled here (there is no account to protect; the gateway's
/// per-address rate limit applies to every request).
struct LoginThrottle: Sendable {
    var sourceLimit = 5
    var firstDelay: TimeInterval = 30
    var maximumDelay: TimeInterval = 15 * 60
    var accountLimit = 20
    var accountDelay: TimeInterval = 2
    var maximumAccountDelay: TimeInterval = 60
    var window: TimeInterval = 15 * 60

    /// When `source` may try this account again, if not now.
    func retryAt(_ userId: UUID, source: String?, on database: any Database, now: Date = Date()) async throws -> Date? {
        let recent = try await LoginFailure.query(on: database)
            .filter(\.$userId == userId).filter(\.$at > now.addingTimeInterval(-window))
            .sort(\.$at, .descending).all()
        let fromSource = recent.filter { $0.source == source }
        let bySource = Self.wait(after: fromSource.count, limit: sourceLimit, first: firstDelay, maximum: maximumDelay)
            .flatMap { delay in fromSource.first.map { $0.at.addingTimeInterval(delay) } }
        let byAccount = Self.wait(after: recent.count, limit: accountLimit, first: accountDelay, maximum: maximumAccountDelay)
            .flatMap { delay in recent.first.map { $0.at.addingTimeInterval(delay) } }
        guard let until = [bySource, byAccount].compactMap({ $0 }).max(), until > now else { return nil }
        return until
    }

    /// Records a failure; returns when `source` may try again if this failure started slowing it
    /// (the moment worth an event and a log line: the `sourceLimit`-th failure).
    func recordFailure(_ userId: UUID, source: String?, on database: any Database, now: Date = Date()) async throws -> Date? {
        try await LoginFailure(userId: userId, source: source, at: now).create(on: database)
        // Old rows serve no purpose; pruning them here keeps the table small.
        try await LoginFailure.query(on: database).filter(\.$userId == userId).filter(\.$at < now.addingTimeInterval(-window)).delete()
        let fromSource = try await LoginFailure.query(on: database)
            .filter(\.$userId == userId).filter(\.$source == source).filter(\.$at > now.addingTimeInterval(-window)).count()
        guard fromSource == sourceLimit else { return nil }
        return try await retryAt(userId, source: source, on: database, now: now)
    }

    func reset(_ userId: UUID, on database: any Database) async throws {
        try await LoginFailure.query(on: database).filter(\.$userId == userId).delete()
    }

    /// The wait after `failures`: none up to `limit`, then `first` doubling per failure, at most `maximum`.
    static func wait(after failures: Int, limit: Int, first: TimeInterval, maximum: TimeInterval) -> TimeInterval? {
        guard failures >= limit else { return nil }
        return min(maximum, first * pow(2, Double(min(failures - limit, 20))))
    }
}
