import ComptoirKit
import Crypto
import FluentKit
import Foundation
import Logging
import SQLKit

/// Issues access tokens and keeps refresh-token families: rotation on every refresh, and
/// revocation of the whole family when a rotated token is presented again. A family is a
/// session (the `sid` of its access tokens); ending one also puts it on the platform's
/// revocation list, so its access tokens stop working everywhere before they expire.
struct SessionStore: Sendable {
    let signer: TokenSigner
    let accessLifetime: Duration
    let refreshLifetime: Duration
    let revocations: any SessionRevocationList
    let logger: Logger

    enum RefreshOutcome {
        case rotated(TokenPairResponse, userId: UUID)
        /// A rotated token came back: the family (session) is now revoked.
        case reused(userId: UUID, session: UUID)
        case invalid
    }

    /// Starts a new session (family) for `user`.
    func open(for user: User, on database: any Database) async throws -> TokenPairResponse {
        try await issue(for: user, familyId: UUID(), on: database)
    }

    /// Exchanges a refresh token for a new pair. Marking the old token used is a conditional
    /// update, so two concurrent refreshes with one token cannot both win.
    func refresh(_ presented: String, on database: ServiceDatabase) async throws -> RefreshOutcome {
        try await database.transaction { tx in
            guard let token = try await RefreshToken.query(on: tx).filter(\.$tokenHash == Self.digest(presented)).first() else {
                return .invalid
            }
            if token.usedAt != nil {
                try await revokeFamily(token.familyId, on: tx)
                return .reused(userId: token.userId, session: token.familyId)
            }
            guard token.revokedAt == nil, token.expiresAt > Date(), let user = try await User.find(token.userId, on: tx) else {
                return .invalid
            }
            let claimed = try await tx.sql.update(RefreshToken.schema)
                .set("used_at", to: Date())
                .where("id", .equal, token.requireID())
                .where("used_at", .is, SQLLiteral.null)
                .returning("id")
                .all()
            guard !claimed.isEmpty else {
                try await revokeFamily(token.familyId, on: tx)
                return .reused(userId: token.userId, session: token.familyId)
            }
            return .rotated(try await issue(for: user, familyId: token.familyId, on: tx), userId: try user.requireID())
        }
    }

    /// Revokes the family of `presented` if it belongs to `userId`; returns the session it ended.
    func logout(_ presented: String, userId: UUID, on database: any Database) async throws -> UUID? {
        guard let token = try await RefreshToken.query(on: database).filter(\.$tokenHash == Self.digest(presented)).first(),
            token.userId == userId
        else { return nil }
        try await revokeFamily(token.familyId, on: database)
        return token.familyId
    }

    /// Revokes every session of `userId` except `keeping` (the caller's own); returns the sessions it ended.
    func revokeAll(of userId: UUID, keeping: UUID?, on database: any Database) async throws -> [UUID] {
        var query = RefreshToken.query(on: database).filter(\.$userId == userId).filter(\.$revokedAt == nil)
        if let keeping { query = query.filter(\.$familyId != keeping) }
        let sessions = Set(try await query.all(\.$familyId))
        try await query.set(\.$revokedAt, to: Date()).update()
        return Array(sessions)
    }

    /// Puts ended sessions on the revocation list; called once the revocation committed. When
    /// the list cannot be written (Redis down), the refresh tokens are still dead and the
    /// access tokens stop at their expiry, which is logged rather than failing the request.
    func endAccess(_ sessions: [UUID]) async {
        guard !sessions.isEmpty else { return }
        do {
            try await revocations.revoke(sessions, for: accessLifetime)
        } catch {
            logger.warning(
                "cannot record ended sessions; their access tokens work until they expire",
                metadata: ["sessions": .stringConvertible(sessions.count), "error": .string("\(error)")]
            )
        }
    }

    func revokeFamily(_ familyId: UUID, on database: any Database) async throws {
        try await RefreshToken.query(on: database).filter(\.$familyId == familyId).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: Date()).update()
    }

    private func issue(for user: User, familyId: UUID, on database: any Database) async throws -> TokenPairResponse {
        let refresh = Self.newSecret()
        let userId = try user.requireID()
        try await RefreshToken(userId: userId, familyId: familyId, tokenHash: Self.digest(refresh), lifetime: refreshLifetime).create(on: database)
        let claims = AccessTokenClaims(
            subject: userId.uuidString,
            roles: user.roles,
            websiteId: user.websiteId,
            sessionId: familyId,
            type: "access",
            lifetime: accessLifetime
        )
        return TokenPairResponse(
            accessToken: try await signer.sign(claims),
            refreshToken: refresh,
            expiresIn: Int(accessLifetime.components.seconds)
        )
    }

    /// 256 random bits, base64url: a refresh token, or a password reset link's secret.
    static func newSecret() -> String {
        Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
