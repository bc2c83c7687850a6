import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// `GET /newsletters/mails?to=`: every outgoing mail, newest first, for admins.
struct MailLogRoutes: Sendable {
    let environment: ServiceEnvironment

    func add(to router: Router<ComptoirRequestContext>) {
        router.get("newsletters/mails", use: list)
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<MailLogEntry>> {
        try context.require(.admin)
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
