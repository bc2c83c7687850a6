import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// A customer's address book. Everyone sees only their own addresses: another user's id is a
/// 404, exactly like an id that does not exist.
struct AddressRoutes: Sendable {
    let environment: ServiceEnvironment

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = AddressesOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .get,
            "/addresses",
            id: "list",
            summary: "The caller's addresses, defaults first",
            access: Doc.owner,
            parameters: OpenAPI.pagination + [OpenAPI.parameter("kind", OpenAPI.enumeration(["shipping", "billing"]))],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Address"))],
            use: list
        )
        api.endpoint(
            .post,
            "/addresses",
            id: "create",
            summary: "Add an address",
            access: Doc.owner,
            body: Doc.body,
            responses: [201: OpenAPI.json(OpenAPI.ref("Address"), "Created")],
            use: create
        )
        api.endpoint(
            .get,
            "/addresses/{id}",
            id: "show",
            summary: "One of the caller's addresses",
            access: Doc.owner,
            parameters: [Doc.id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Address")), 404: Doc.notFound],
            use: show
        )
        api.endpoint(
            .put,
            "/addresses/{id}",
            id: "update",
            summary: "Replace one of the caller's addresses",
            access: Doc.owner,
            parameters: [Doc.id],
            body: Doc.body,
            responses: [200: OpenAPI.json(OpenAPI.ref("Address")), 404: Doc.notFound],
            use: update
        )
        api.endpoint(
            .delete,
            "/addresses/{id}",
            id: "delete",
            summary: "Remove one of the caller's addresses",
            access: Doc.owner,
            parameters: [Doc.id],
            responses: [204: OpenAPI.empty("Deleted"), 404: Doc.notFound],
            use: delete
        )
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<AddressResponse>> {
        let userId = try context.requirePrincipal().requireUser()
        let page = try PageRequest(from: request)
        var query = owned(by: userId, context)
        if let kind = request.uri.queryParameters["kind"].map(String.init) {
            guard ["shipping", "billing"].contains(kind) else {
                throw ProblemError.validation([.init(field: "kind", message: "must be shipping or billing")])
            }
            query = query.filter(\.$kind == kind)
        }
        let total = try await query.count()
        let addresses = try await query.sort(\.$isDefault, .descending).sort(\.$createdAt, .descending)
            .range(page.rows).all()
        return JSONResponse(PagedList(items: try addresses.map(AddressResponse.init), total: total, request: page))
    }

    @Sendable func create(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<AddressResponse> {
        let userId = try context.requirePrincipal().requireUser()
        let fields = try await request.decodeJSON(as: AddressRequest.self, context: context).validated()
        let address = Address(userId: userId, websiteId: context.websiteId)
        address.apply(fields)
        try await environment.database.transaction { tx in
            // The first address of a kind is its default, whatever the request said.
            let others = try await owned(by: userId, context, on: tx).filter(\.$kind == address.kind).count()
            if others == 0 { address.isDefault = true }
            if address.isDefault { try await clearDefault(userId: userId, kind: address.kind, except: nil, context, on: tx) }
            try await address.create(on: tx)
        }
        return JSONResponse(try AddressResponse(address), status: .created)
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<AddressResponse> {
        JSONResponse(try await AddressResponse(find(context)))
    }

    @Sendable func update(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<AddressResponse> {
        let address = try await find(context)
        let fields = try await request.decodeJSON(as: AddressRequest.self, context: context).validated()
        let previousKind = address.kind
        address.apply(fields)
        try await environment.database.transaction { tx in
            if address.isDefault {
                try await clearDefault(userId: address.userId, kind: address.kind, except: address.id, context, on: tx)
            }
            try await address.update(on: tx)
            if previousKind != address.kind { try await promoteDefault(userId: address.userId, kind: previousKind, context, on: tx) }
        }
        return JSONResponse(try AddressResponse(address))
    }

    @Sendable func delete(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let address = try await find(context)
        try await environment.database.transaction { tx in
            try await address.delete(on: tx)
            if address.isDefault { try await promoteDefault(userId: address.userId, kind: address.kind, context, on: tx) }
        }
        return Response(status: .noContent)
    }

    /// The caller's address with the path's id, or 404.
    private func find(_ context: ComptoirRequestContext) async throws -> Address {
        let userId = try context.requirePrincipal().requireUser()
        return try await Address.find(in: context, on: database, notFound: "address") { $0.filter(\.$userId == userId) }
    }

    private func owned(by userId: UUID, _ context: ComptoirRequestContext, on database: (any Database)? = nil) -> QueryBuilder<Address> {
        Address.query(in: context, on: database ?? self.database).filter(\.$userId == userId)
    }

    private func clearDefault(userId: UUID, kind: String, except id: UUID?, _ context: ComptoirRequestContext, on tx: any Database) async throws {
        var query = owned(by: userId, context, on: tx).filter(\.$kind == kind).filter(\.$isDefault == true)
        if let id { query = query.filter(\.$id != id) }
        try await query.set(\.$isDefault, to: false).update()
    }

    /// After the default of a kind went away, the most recent remaining address of that kind takes over.
    private func promoteDefault(userId: UUID, kind: String, _ context: ComptoirRequestContext, on tx: any Database) async throws {
        let remaining = owned(by: userId, context, on: tx).filter(\.$kind == kind)
        guard try await remaining.copy().filter(\.$isDefault == true).count() == 0,
            let next = try await remaining.sort(\.$createdAt, .descending).first()
        else { return }
        next.isDefault = true
        try await next.update(on: tx)
    }
}
