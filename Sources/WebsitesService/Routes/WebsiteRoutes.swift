import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// The current store for a request, and store administration.
struct WebsiteRoutes: Sendable {
    let environment: ServiceEnvironment

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = WebsitesOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .get,
            "/websites/current",
            id: "current",
            summary: "The store chosen by X-Website or the Host header",
            access: .public,
            parameters: [OpenAPI.parameter("X-Website", in: "header", OpenAPI.string)],
            responses: [200: Doc.website, 404: OpenAPI.problem("Unknown website code")],
            use: current
        )
        api.endpoint(
            .get,
            "/websites",
            id: "list",
            summary: "List stores",
            access: Doc.admin,
            parameters: OpenAPI.pagination,
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Website"))],
            use: list
        )
        api.endpoint(
            .post,
            "/websites",
            id: "create",
            summary: "Create a store",
            access: Doc.admin,
            body: Doc.body,
            responses: [201: OpenAPI.json(OpenAPI.ref("Website"), "Created"), 409: Doc.taken],
            use: create
        )
        api.endpoint(
            .get,
            "/websites/{id}",
            id: "show",
            summary: "One store",
            access: Doc.admin,
            parameters: [Doc.id],
            responses: [200: Doc.website, 404: Doc.notFound],
            use: show
        )
        api.endpoint(
            .put,
            "/websites/{id}",
            id: "update",
            summary: "Replace a store's settings",
            access: Doc.admin,
            parameters: [Doc.id],
            body: Doc.body,
            responses: [200: Doc.website, 404: Doc.notFound, 409: Doc.taken],
            use: update
        )
    }

    /// `X-Website: <code>` wins; otherwise the client's host (`X-Forwarded-Host` from the gateway, or
    /// `Host`) matched against each store's domain;
    /// otherwise the default store. An unknown code is a 404 rather than a silent fallback.
    @Sendable func current(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<WebsiteResponse> {
        if let code = request.headers[.xWebsite]?.trimmingCharacters(in: .whitespaces).lowercased(), !code.isEmpty {
            guard let website = try await Website.query(on: database).filter(\.$code == code).first() else {
                throw ProblemError.notFound("website with code \(code)")
            }
            return JSONResponse(try WebsiteResponse(website))
        }
        if let host = Self.hostName(request.headers[.xForwardedHost] ?? request.head.authority),
            let website = try await Website.query(on: database).filter(\.$domain == host).first()
        {
            return JSONResponse(try WebsiteResponse(website))
        }
        guard let fallback = try await Website.query(on: database).filter(\.$code == Website.defaultCode).first() else {
            throw ProblemError(.serviceUnavailable, "The default website is missing.")
        }
        return JSONResponse(try WebsiteResponse(fallback))
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<WebsiteResponse>> {
        let page = try PageRequest(from: request)
        let query = Website.query(on: database)
        let total = try await query.count()
        let websites = try await query.sort(\.$code).range(page.rows).all()
        return JSONResponse(PagedList(items: try websites.map(WebsiteResponse.init), total: total, request: page))
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<WebsiteResponse> {
        JSONResponse(try WebsiteResponse(try await find(context)))
    }

    @Sendable func create(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<WebsiteResponse> {
        let body = try await request.decodeJSON(as: WebsiteRequest.self, context: context).validated()
        let website = Website(code: body.code, name: body.name, domain: body.domain, currency: body.currency, locale: body.locale)
        try await save(website, isNew: true)
        return JSONResponse(try WebsiteResponse(website), status: .created)
    }

    @Sendable func update(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<WebsiteResponse> {
        let website = try await find(context)
        let body = try await request.decodeJSON(as: WebsiteRequest.self, context: context).validated()
        if website.code == Website.defaultCode, body.code != Website.defaultCode {
            throw ProblemError.conflict("The default website keeps the code \"default\".")
        }
        website.code = body.code
        website.name = body.name
        website.domain = body.domain
        website.currency = body.currency
        website.locale = body.locale
        website.updatedAt = Date()
        try await save(website, isNew: false)
        return JSONResponse(try WebsiteResponse(website))
    }

    private func find(_ context: ComptoirRequestContext) async throws -> Website {
        guard let id = context.parameters.get("id", as: UUID.self), let website = try await Website.find(id, on: database) else {
            throw ProblemError.notFound("website")
        }
        return website
    }

    /// Saves with its `websites.website.changed` event; a taken code or domain is a 409.
    private func save(_ website: Website, isNew: Bool) async throws {
        do {
            try await environment.database.transaction { tx in
                var clash = Website.query(on: tx).group(.or) { group in
                    group.filter(\.$code == website.code)
                    if let domain = website.domain { group.filter(\.$domain == domain) }
                }
                if let id = website.id, !isNew { clash = clash.filter(\.$id != id) }
                if try await clash.count() > 0 { throw Self.taken }
                if isNew { try await website.create(on: tx) } else { try await website.update(on: tx) }
                try await environment.outbox.append(try WebsiteChanged(website), on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Self.taken
        }
    }

    static let taken = ProblemError.conflict("Another website already uses this code or domain.")

    /// `shop.example.com:8080` → `shop.example.com`; IPv6 literals keep their brackets off.
    static func hostName(_ authority: String?) -> String? {
        guard var host = authority?.trimmingCharacters(in: .whitespaces).lowercased(), !host.isEmpty else { return nil }
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<end])
        }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        return host
    }
}
