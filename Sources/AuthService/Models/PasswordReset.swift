import FluentKit
import Foundation

/// A password reset link sent to an account: only the SHA-256 digest of its token is kept, so
/// the table gives nobody a working link. Single use, valid ``PasswordResetRoutes/lifetime``.
final class PasswordReset: Model, @unchecked Sendable {
    static let schema = "password_resets"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "token_digest") var tokenDigest: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(userId: UUID, tokenDigest: String, lifetime: TimeInterval, now: Date = Date()) {
        self.id = UUID()
        self.userId = userId
        self.tokenDigest = tokenDigest
        self.createdAt = now
        self.expiresAt = now.addingTimeInterval(lifetime)
    }
}
