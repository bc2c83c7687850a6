import ComptoirContracts
import ComptoirKit
import CoreMetrics
import FluentKit
import Foundation
import Hummingbird

/// The way back into an account without its password: a single-use link, valid 30 minutes,
/// mailed to the account's address. The request's answer never says whether an account exists.
struct PasswordResetRoutes: Sendable {
    let environment: ServiceEnvironment
    let hasher: PasswordHasher
    let sessions: SessionStore
    let throttle: LoginThrottle
    let audit: AuditLog

    /// How long a link works.
    static let lifetime: TimeInterval = 30 * 60
    /// At most one mail per account in this interval, however often the form is sent.
    static let resendInterval: TimeInterval = 60

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = AuthOpenAPI
        api.endpoint(
            .post,
            "/auth/password/forgot",
            id: "forgot_password",
            summary: "Mail a password reset link (single use, 30 minutes) to the account, if there is one",
            access: .public,
            body: Doc.forgotBody,
            responses: [202: OpenAPI.empty("Accepted, whether or not an account has this e-mail"), 429: Doc.rateLimited],
            use: forgot
        )
        api.endpoint(
            .post,
            "/auth/password/reset",
            id: "reset_password",
            summary: "Set a new password with a mailed link's token; every session of the account ends",
            access: .public,
            body: Doc.resetBody,
            responses: [204: OpenAPI.empty("Password set"), 422: OpenAPI.problem("Used, expired or unknown token, or a weak password")],
            use: reset
        )
    }

    @Sendable func forgot(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let email = SessionRoutes.normalised(try await request.decodeJSON(as: ForgotPasswordRequest.self, context: context).email)
        var validator = Validator()
        validator.email(email)
        try validator.check()
        let client = ClientInfo(request, context)
        guard let user = try await User.query(on: database).filter(\.$email == email).first() else {
            return Response(status: .accepted)
        }
        let userId = try user.requireID()
        let now = Date()
        let recent = try await PasswordReset.query(on: database)
            .filter(\.$userId == userId).filter(\.$createdAt > now.addingTimeInterval(-Self.resendInterval)).count()
        guard recent == 0 else { return Response(status: .accepted) }
        let token = SessionStore.newSecret()
        let reset = PasswordReset(userId: userId, tokenDigest: SessionStore.digest(token), lifetime: Self.lifetime, now: now)
        try await environment.database.transaction { tx in
            // Links that can no longer be used serve no purpose; pruning them here keeps the table small.
            try await PasswordReset.query(on: tx).filter(\.$userId == userId).filter(\.$expiresAt < now).delete()
            try await reset.create(on: tx)
            try await audit.record(.passwordResetRequested, userId: userId, client: client, on: tx)
            try await environment.outbox.append(
                PasswordResetRequested(userId: userId, email: user.email, name: user.name, token: token, expiresAt: reset.expiresAt),
                traceparent: request.headers[TraceParent.headerName],
                on: tx
            )
        }
        context.logger.info("password reset link requested", metadata: ["user_id": .string(userId.uuidString)])
        return Response(status: .accepted)
    }

    @Sendable func reset(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: ResetPasswordRequest.self, context: context)
        var validator = Validator()
        validator.expect(!body.token.isEmpty && body.token.count <= 256, "token", "is required")
        validator.newPassword(body.newPassword, "new_password")
        try validator.check()
        let client = ClientInfo(request, context)
        let hash = try await hasher.hash(body.newPassword)
        let ended = try await environment.database.transaction { tx -> [UUID] in
            guard let reset = try await PasswordReset.query(on: tx).filter(\.$tokenDigest == SessionStore.digest(body.token)).first(),
                reset.usedAt == nil, reset.expiresAt > Date(),
                let user = try await User.find(reset.userId, on: tx)
            else { throw Self.unusableLink }
            let userId = try user.requireID()
            // Every outstanding link of the account dies with this one.
            try await PasswordReset.query(on: tx).filter(\.$userId == userId).filter(\.$usedAt == nil).set(\.$usedAt, to: Date()).update()
            user.passwordHash = hash
            user.updatedAt = Date()
            try await user.update(on: tx)
            try await throttle.reset(userId, on: tx)
            let ended = try await sessions.revokeAll(of: userId, keeping: nil, on: tx)
            try await audit.record(.passwordReset, userId: userId, client: client, detail: "every session ended", on: tx)
            return ended
        }
        await sessions.endAccess(ended)
        return Response(status: .noContent)
    }

    static let unusableLink = ProblemError.validation([
        .init(field: "token", message: "this reset link is invalid, already used or expired; ask for a new one")
    ])
}
