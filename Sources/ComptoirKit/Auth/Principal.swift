import ComptoirContracts
import Foundation

/// The authenticated caller of a request, read from a verified access token.
public struct Principal: Sendable, Equatable {
    /// The user id, or `nil` for a service token.
    public var userId: UUID?
    /// The calling service, for service tokens.
    public var serviceName: String?
    public var roles: Set<Role>
    public var websiteId: UUID?
    /// The refresh-token family (login session) the access token was issued for.
    public var sessionId: UUID?
    /// The raw bearer token, to pass on to internal calls made on the caller's behalf.
    public var token: String

    public init(userId: UUID?, serviceName: String? = nil, roles: Set<Role>, websiteId: UUID? = nil, sessionId: UUID? = nil, token: String) {
        self.userId = userId
        self.serviceName = serviceName
        self.roles = roles
        self.websiteId = websiteId
        self.sessionId = sessionId
        self.token = token
    }

    /// Whether the caller has `role`; `admin` has them all except `service`.
    public func has(_ role: Role) -> Bool {
        roles.contains(role) || (role != .service && roles.contains(.admin))
    }

    /// Whether the caller has any of `roles`.
    public func hasAny(_ roles: [Role]) -> Bool { roles.contains(where: has) }

    /// The user id, or a 403 for a service token used where a user is needed.
    public func requireUser() throws -> UUID {
        guard let userId else { throw ProblemError.forbidden("This route needs a user's token.") }
        return userId
    }
}

extension ComptoirRequestContext {
    /// The principal if it has one of `roles`; 401 without a token, 403 without the role.
    @discardableResult
    public func require(_ roles: Role...) throws -> Principal {
        try require(roles)
    }

    /// The principal if it has one of `roles` (any principal when empty); 401 without a token,
    /// 403 without the role.
    @discardableResult
    public func require(_ roles: [Role]) throws -> Principal {
        let principal = try requirePrincipal()
        guard roles.isEmpty || principal.hasAny(roles) else { throw ProblemError.forbidden() }
        return principal
    }
}
