import ComptoirContracts
import ComptoirKit
import CoreMetrics
import FluentKit
import Foundation
import Hummingbird
import Logging

/// Registration, login, refresh, logout, the caller's profile and password, and the JWKS.
struct SessionRoutes: Sendable {
    let environment: ServiceEnvironment
    let hasher: PasswordHasher
    let sessions: SessionStore
    let throttle: LoginThrottle
    let audit: AuditLog
    let jwks: PublicJWKS

    func declare(_ api: ServiceAPI) {
        typealias Doc = AuthOpenAPI
        api.endpoint(
            .post,
            "/auth/register",
            id: "register",
            summary: "Create a customer account",
            access: .public,
            body: Doc.registerBody,
            responses: [201: OpenAPI.json(OpenAPI.ref("User"), "The new account"), 409: Doc.conflict, 429: Doc.rateLimited],
            use: register
        )
        api.endpoint(
            .post,
            "/auth/login",
            id: "login",
            summary: "Log in",
            access: .public,
            body: Doc.loginBody,
            responses: [200: Doc.tokenPair, 401: Doc.badCredentials, 429: Doc.rateLimitedOrLocked],
            use: login
        )
        api.endpoint(
            .post,
            "/auth/refresh",
            id: "refresh",
            summary: "Exchange a refresh token for a new pair (rotation)",
            access: .public,
            body: Doc.refreshBody,
            responses: [200: OpenAPI.json(OpenAPI.ref("TokenPair"), "A new token pair"), 401: Doc.badCredentials, 429: Doc.rateLimited],
            use: refresh
        )
        api.endpoint(
            .post,
            "/auth/logout",
            id: "logout",
            summary: "End the session of a refresh token",
            access: Doc.customer,
            body: Doc.refreshBody,
            responses: [204: OpenAPI.empty("Logged out"), 429: Doc.rateLimited],
            use: logout
        )
        api.endpoint(
            .get,
            "/auth/me",
            id: "me",
            summary: "The caller's account",
            access: Doc.customer,
            responses: [200: Doc.user, 429: Doc.rateLimited],
            use: me
        )
        api.endpoint(
            .post,
            "/auth/password",
            id: "change_password",
            summary: "Change the password; other sessions are revoked",
            access: Doc.customer,
            body: Doc.passwordBody,
            responses: [204: OpenAPI.empty("Changed"), 429: Doc.rateLimited],
            use: changePassword
        )
        api.endpoint(
            .get,
            "/auth/jwks.json",
            id: "jwks",
            summary: "The keys that verify access tokens",
            access: .public,
            responses: [200: OpenAPI.json(OpenAPI.ref("JWKS"), "A JSON Web Key Set"), 429: Doc.rateLimited],
            use: publicKeys
        )
    }

    var database: any Database { environment.database.fluent }

    @Sendable func register(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<UserResponse> {
        let body = try await request.decodeJSON(as: RegisterRequest.self, context: context)
        let email = Self.normalised(body.email)
        var validator = Validator()
        validator.email(email)
        validator.newPassword(body.password, "password")
        validator.text(body.name, "name", length: 1...100)
        try validator.check()
        let hash = try await hasher.hash(body.password)
        let user = User(email: email, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines), passwordHash: hash, roles: [.customer])
        let client = ClientInfo(request, context)
        do {
            try await environment.database.transaction { tx in
                if try await User.query(on: tx).filter(\.$email == email).count() > 0 { throw Self.duplicateEmail }
                try await user.create(on: tx)
                try await audit.record(.userRegistered, userId: user.id, client: client, on: tx)
                try await environment.outbox.append(
                    UserRegistered(userId: user.requireID(), email: user.email, name: user.name),
                    traceparent: request.headers[TraceParent.headerName],
                    on: tx
                )
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two registrations racing past the check: the unique index decides.
            throw Self.duplicateEmail
        }
        let userId = try user.requireID()
        context.logger.info("user registered", metadata: ["user_id": .string(userId.uuidString)])
        return JSONResponse(try UserResponse(user), status: .created)
    }

    @Sendable func login(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TokenPairResponse> {
        let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
        var validator = Validator()
        validator.presentedPassword(body.password, "password")
        try validator.check()
        let email = Self.normalised(body.email)
        let client = ClientInfo(request, context)
        guard let user = try await User.query(on: database).filter(\.$email == email).first() else {
            _ = try await hasher.verify(body.password, hash: PasswordHasher.decoyHash)
            try await audit.record(.loginFailed, userId: nil, client: client, detail: "unknown e-mail", on: database)
            environment.metrics.counter("auth_logins_total", [("result", "failure")]).increment()
            throw Self.badCredentials
        }
        let userId = try user.requireID()
        if let until = try await throttle.retryAt(userId, source: client.ip, on: database) {
            try await audit.record(.loginLocked, userId: user.id, client: client, on: database)
            environment.metrics.counter("auth_logins_total", [("result", "locked")]).increment()
            throw ProblemError.tooManyRequests(
                retryAfter: max(1, Int(until.timeIntervalSinceNow.rounded(.up))),
                "Too many failed logins for this account from here: wait before trying again, or reset the password."
            )
        }
        guard try await hasher.verify(body.password, hash: user.passwordHash) else {
            let slowedUntil = try await environment.database.transaction { tx in
                try await audit.record(.loginFailed, userId: user.id, client: client, detail: "wrong password", on: tx)
                guard let until = try await throttle.recordFailure(userId, source: client.ip, on: tx) else { return Date?.none }
                try await environment.outbox.append(UserLocked(userId: userId, email: user.email, lockedUntil: until), on: tx)
                return until
            }
            if slowedUntil != nil {
                environment.metrics.counter("auth_lockouts_total").increment()
                context.logger.notice("failed logins slowed for one account and address", metadata: ["user_id": .string(userId.uuidString)])
            }
            environment.metrics.counter("auth_logins_total", [("result", "failure")]).increment()
            throw Self.badCredentials
        }
        let pair = try await environment.database.transaction { tx in
            try await throttle.reset(userId, on: tx)
            try await audit.record(.loginSucceeded, userId: user.id, client: client, on: tx)
            return try await sessions.open(for: user, on: tx)
        }
        environment.metrics.counter("auth_logins_total", [("result", "success")]).increment()
        return JSONResponse(pair)
    }

    @Sendable func refresh(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TokenPairResponse> {
        let body = try await request.decodeJSON(as: RefreshRequest.self, context: context)
        let client = ClientInfo(request, context)
        switch try await sessions.refresh(body.refreshToken, on: environment.database) {
        case .rotated(let pair, let userId):
            try await audit.record(.tokenRefreshed, userId: userId, client: client, on: database)
            return JSONResponse(pair)
        case .reused(let userId, let session):
            await sessions.endAccess([session])
            try await audit.record(.tokenReused, userId: userId, client: client, detail: "session revoked", on: database)
            context.logger.warning("refresh token reused; session revoked", metadata: ["user_id": .string(userId.uuidString)])
            throw ProblemError.unauthorized("This refresh token was already used; the session has been revoked. Log in again.")
        case .invalid:
            throw ProblemError.unauthorized("The refresh token is invalid, expired or revoked.")
        }
    }

    @Sendable func logout(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let userId = try context.requirePrincipal().requireUser()
        let body = try await request.decodeJSON(as: RefreshRequest.self, context: context)
        if let session = try await sessions.logout(body.refreshToken, userId: userId, on: database) {
            await sessions.endAccess([session])
            try await audit.record(.logout, userId: userId, client: ClientInfo(request, context), on: database)
        }
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<UserResponse> {
        let userId = try context.requirePrincipal().requireUser()
        guard let user = try await User.find(userId, on: database) else { throw ProblemError.unauthorized("This account no longer exists.") }
        return JSONResponse(try UserResponse(user))
    }

    @Sendable func changePassword(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let userId = try principal.requireUser()
        let body = try await request.decodeJSON(as: PasswordChangeRequest.self, context: context)
        var validator = Validator()
        validator.presentedPassword(body.currentPassword, "current_password")
        validator.newPassword(body.newPassword, "new_password")
        validator.expect(body.newPassword != body.currentPassword, "new_password", "must differ from the current password")
        try validator.check()
        guard let user = try await User.find(userId, on: database) else { throw ProblemError.unauthorized("This account no longer exists.") }
        guard try await hasher.verify(body.currentPassword, hash: user.passwordHash) else {
            throw ProblemError(
                .unauthorized,
                "The current password is incorrect.",
                errors: [.init(field: "current_password", message: "is incorrect")]
            )
        }
        user.passwordHash = try await hasher.hash(body.newPassword)
        user.updatedAt = Date()
        let client = ClientInfo(request, context)
        let ended = try await environment.database.transaction { tx in
            try await user.update(on: tx)
            let ended = try await sessions.revokeAll(of: userId, keeping: principal.sessionId, on: tx)
            try await audit.record(.passwordChanged, userId: userId, client: client, detail: "other sessions revoked", on: tx)
            return ended
        }
        await sessions.endAccess(ended)
        return Response(status: .noContent)
    }

    @Sendable func publicKeys(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PublicJWKS> {
        JSONResponse.verbatim(jwks)
    }

    static func normalised(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static let badCredentials = ProblemError.unauthorized("The e-mail or the password is incorrect.")
    static let duplicateEmail = ProblemError.conflict("An account with this e-mail already exists.")
}

extension ClientInfo {
    init(_ request: Request, _ context: ComptoirRequestContext) {
        self.init(ip: request.clientIP(context: context), userAgent: request.headers[.userAgent], requestId: context.requestID)
    }
}
