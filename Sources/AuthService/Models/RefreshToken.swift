import FluentKit
import Foundation

/// One refresh token of a login session (its family). Only its SHA-256 is stored. A rotated token
/// has `used_at`; presenting it again means it was stolen, and the whole family is revoked.
final class RefreshToken: Model, @unchecked Sendable {
    static let schema = "refresh_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "family_id") var familyId: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(userId: UUID, familyId: UUID, tokenHash: String, lifetime: Duration) {
        self.id = UUID()
        self.userId = userId
        self.familyId = familyId
        self.tokenHash = tokenHash
        self.createdAt = Date()
        self.expiresAt = createdAt.addingTimeInterval(Double(lifetime.components.seconds))
    }
}
