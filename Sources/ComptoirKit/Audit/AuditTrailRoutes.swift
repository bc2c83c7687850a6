import ComptoirContracts
import FluentKit
import Hummingbird

/// `GET /<service>/audit-trail`: the service's audit trail for admins, newest first, paginated
/// and filtered (``AuditTrailQuery``). Every service declares it through the kit.
public struct AuditTrailRoutes: Sendable {
    let service: ServiceID
    let database: ServiceDatabase

    public init(service: ServiceID, database: ServiceDatabase) {
        self.service = service
        self.database = database
    }

    public func declare(_ api: ServiceAPI) {
        api.schema("AuditRecord", AuditRecordResponse.schema)
        api.endpoint(
            .get,
            "/\(service.rawValue)/audit-trail",
            id: "auditTrail",
            summary: "The audit trail of staff and security actions, newest first",
            access: .roles([.admin]),
            parameters: OpenAPI.pagination + AuditTrailQuery.parameters,
            responses: [200: OpenAPI.json(OpenAPI.page(of: "AuditRecord")), 422: OpenAPI.problem("A malformed filter, named in errors")],
            use: list
        )
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<AuditRecordResponse>> {
        let page = try PageRequest(from: request)
        let filters = try AuditTrailQuery(from: request)
        let query = filters.apply(to: AuditRecord.query(on: database.fluent))
        let total = try await query.count()
        let records = try await query.sort(\.$at, .descending).sort(\.$id).range(page.rows).all()
        return JSONResponse(PagedList(items: try records.map { try AuditRecordResponse($0, service: service) }, total: total, request: page))
    }
}
