import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird
import Logging

/// The auth service: accounts, sessions (EdDSA access tokens, rotating refresh tokens), lockout,
/// roles and the audit log. It owns the signing key and publishes its public half as a JWKS.
public struct AuthService: ComptoirService {
    public static let id = ServiceID.auth

    let environment: ServiceEnvironment
    let hasher: PasswordHasher
    let sessions: SessionStore
    let audit = AuditLog()

    public init(environment: ServiceEnvironment) async throws {
        guard let key = environment.platform.userSigningKey else {
            throw ConfigurationError("COMPTOIR_JWT_PRIVATE_KEY", "the auth service needs its signing key")
        }
        let configuration = environment.configuration
        self.environment = environment
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.sessions = SessionStore(
            signer: await TokenSigner(key: key),
            accessLifetime: configuration.accessTokenLifetime,
            refreshLifetime: configuration.refreshTokenLifetime,
            revocations: environment.platform.adapters.revocations,
            logger: environment.logger
        )
        environment.metrics.startAtZero("auth_logins_total", ["success", "failure", "locked"].map { [("result", $0)] })
        environment.metrics.startAtZero("auth_lockouts_total")
    }

    public var migrations: [any Migration] { [CreateAuthSchema(), AddPasswordResets()] }

    /// The schemas first, then the endpoints of each group of routes.
    public func declare(_ api: ServiceAPI) {
        AuthOpenAPI.schemas(api)
        let throttle = LoginThrottle()
        SessionRoutes(
            environment: environment,
            hasher: hasher,
            sessions: sessions,
            throttle: throttle,
            audit: audit,
            jwks: PublicJWKS(keys: [sessions.signer.key.publicJWK])
        ).declare(api)
        PasswordResetRoutes(environment: environment, hasher: hasher, sessions: sessions, throttle: throttle, audit: audit).declare(api)
        AdminRoutes(environment: environment, audit: audit).declare(api)
    }

    /// Creates the first administrator from `COMPTOIR_ADMIN_EMAIL` / `COMPTOIR_ADMIN_PASSWORD`.
    public func prepare() async throws {
        let configuration = environment.configuration
        guard let email = configuration.adminEmail, let password = configuration.adminPassword else { return }
        let outcome = try await createAdmin(email: email, password: password, name: "Administrator")
        if outcome == .created {
            environment.logger.notice("created the first administrator", metadata: ["email": .string(SessionRoutes.normalised(email))])
        }
    }

    public enum AdminCreation: Sendable, Equatable {
        case created
        case alreadyExists
    }

    /// Creates an administrator unless an account with this e-mail exists (used by start-up and
    /// by `comptoir users create-admin`). Invalid input is a ``ProblemError`` with field errors.
    public func createAdmin(email rawEmail: String, password: String, name: String) async throws -> AdminCreation {
        let email = SessionRoutes.normalised(rawEmail)
        var validator = Validator()
        validator.email(email)
        validator.newPassword(password, "password")
        validator.text(name, "name", length: 1...100)
        try validator.check()
        let database = environment.database.fluent
        if try await User.query(on: database).filter(\.$email == email).first() != nil { return .alreadyExists }
        let user = User(email: email, name: name, passwordHash: try await hasher.hash(password), roles: [.admin, .customer])
        try await environment.database.transaction { tx in
            try await user.create(on: tx)
            try await audit.record(.adminBootstrapped, userId: user.id, client: .commandLine, on: tx)
            try await environment.outbox.append(UserRegistered(userId: user.requireID(), email: user.email, name: user.name), on: tx)
        }
        return .created
    }
}
