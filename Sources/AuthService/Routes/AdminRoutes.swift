import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// User administration and the audit log, for role `admin`.
struct AdminRoutes: Sendable {
    let environment: ServiceEnvironment
    let audit: AuditLog

    func declare(_ api: ServiceAPI) {
        typealias Doc = AuthOpenAPI
        api.endpoint(
            .get,
            "/auth/users",
            id: "list_users",
            summary: "List accounts",
            access: Doc.admin,
            parameters: Doc.pagination + [Doc.userSearch],
            responses: [200: OpenAPI.json(OpenAPI.ref("UserPage"), "A page of accounts"), 429: Doc.rateLimited],
            use: listUsers
        )
        api.endpoint(
            .put,
            "/auth/users/{id}/roles",
            id: "set_roles",
            summary: "Replace an account's roles",
            access: Doc.admin,
            parameters: [Doc.id],
            body: Doc.rolesBody,
            responses: [200: Doc.user, 404: Doc.notFound, 409: Doc.conflict, 429: Doc.rateLimited],
            use: setRoles
        )
        api.endpoint(
            .get,
            "/auth/audit",
            id: "audit",
            summary: "The audit log, newest first",
            access: Doc.admin,
            parameters: Doc.pagination + Doc.auditFilters,
            responses: [200: OpenAPI.json(OpenAPI.ref("AuditPage"), "A page of entries"), 429: Doc.rateLimited],
            use: listAudit
        )
    }

    var database: any Database { environment.database.fluent }

    @Sendable func listUsers(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<UserResponse>> {
        let page = try PageRequest(from: request)
        var query = User.query(on: database)
        if let search = request.uri.queryParameters["q"].map(String.init)?.lowercased(), !search.isEmpty {
            // Fluent binds the value; `LIKE` wildcards typed by the caller only widen their own search.
            query = query.group(.or) { $0.filter(\.$email ~~ search).filter(\.$name ~~ search) }
        }
        let total = try await query.count()
        let users = try await query.sort(\.$createdAt).sort(\.$id).range(page.rows).all()
        return JSONResponse(PagedList(items: try users.map(UserResponse.init), total: total, request: page))
    }

    @Sendable func setRoles(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<UserResponse> {
        let admin = try context.requirePrincipal()
        guard let id = context.parameters.get("id", as: UUID.self) else { throw ProblemError.notFound("user") }
        let body = try await request.decodeJSON(as: RolesRequest.self, context: context)
        var validator = Validator()
        let roles = body.roles.compactMap(Role.init(rawValue:)).filter(Role.assignable.contains)
        validator.expect(roles.count == body.roles.count, "roles", "must only contain \(Role.assignable.map(\.rawValue).joined(separator: ", "))")
        validator.expect(!body.roles.isEmpty, "roles", "must not be empty")
        try validator.check()
        guard let user = try await User.find(id, on: database) else { throw ProblemError.notFound("user") }
        if id == admin.userId, !roles.contains(.admin) {
            throw ProblemError.conflict("You cannot remove your own admin role; ask another administrator.")
        }
        let before = user.roles
        var unique: [String] = []
        for role in roles.map(\.rawValue) where !unique.contains(role) { unique.append(role) }
        let detail = "\(before.joined(separator: ",")) -> \(unique.joined(separator: ","))"
        user.roles = unique
        user.updatedAt = Date()
        let client = ClientInfo(request, context)
        try await environment.database.transaction { tx in
            try await user.update(on: tx)
            try await audit.record(
                .rolesChanged,
                userId: id,
                actorId: admin.userId,
                client: client,
                detail: detail,
                on: tx
            )
        }
        return JSONResponse(try UserResponse(user))
    }

    @Sendable func listAudit(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<AuditEntryResponse>> {
        let page = try PageRequest(from: request)
        var query = AuditEntry.query(on: database)
        let parameters = request.uri.queryParameters
        if let raw = parameters["user_id"] {
            guard let userId = UUID(uuidString: String(raw)) else {
                throw ProblemError.validation([.init(field: "user_id", message: "must be a UUID")])
            }
            query = query.filter(\.$userId == userId)
        }
        if let action = parameters["action"].map(String.init), !action.isEmpty {
            guard AuditAction(rawValue: action) != nil else {
                throw ProblemError.validation([
                    .init(field: "action", message: "must be one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))")
                ])
            }
            query = query.filter(\.$action == action)
        }
        let total = try await query.count()
        let entries = try await query.sort(\.$at, .descending).sort(\.$id).range(page.rows).all()
        return JSONResponse(PagedList(items: try entries.map(AuditEntryResponse.init), total: total, request: page))
    }
}
