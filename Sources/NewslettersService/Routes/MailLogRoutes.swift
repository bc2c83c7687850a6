import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// `GET /newsletters/mails?to=`: every outgoing mail, newest first, for admins.
struct MailLogRoutes: Sendable {
    let environment: ServiceEnvironment

    func declare(_ api: ServiceAPI) {
        typealias Doc = NewslettersOpenAPI
        api.endpoint(
            .get,
            "/newsletters/mails",
            id: "mail_log",
            summary: "The outgoing mail log, newest first",
            access: Doc.admin,
            parameters: OpenAPI.pagination + [
                OpenAPI.parameter("to", ["type": "string", "format": "email"]), OpenAPI.parameter("reason", OpenAPI.string),
            ],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Mail"))],
            use: list
        )
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<MailLogEntry>> {
        let page = try PageRequest(from: request)
        var query = OutgoingMail.query(on: environment.database.fluent)
        if let to = request.uri.queryParameters["to"].map(String.init) {
            guard to.count <= 254 else { throw ProblemError.validation([.init(field: "to", message: "must be at most 254 characters")]) }
            query = query.filter(\.$recipient == to.lowercased())
        }
        if let reason = request.uri.queryParameters["reason"].map(String.init) { query = query.filter(\.$reason == reason) }
        let total = try await query.count()
        let mails = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).range(page.rows).all()
        return JSONResponse(PagedList(items: try mails.map(MailLogEntry.init), total: total, request: page))
    }
}
