import ComptoirContracts
import ComptoirKit
import Foundation
import Hummingbird

/// `GET /api/v1/audit`: one audit trail for admins, merged from every service's
/// `GET /<service>/audit-trail`, newest first, with the same filters (`actor_id`, `action`,
/// `from`, `to`) and `service=` to ask one. Each service is asked concurrently, as the caller,
/// for the first `page × per_page` entries; so that stays within 1,000 (narrow a deeper search
/// with `from`/`to`). A service that cannot answer fails the request (502 naming it): a merged
/// trail with a hole in it would look complete.
struct AuditAggregation: Sendable {
    let client: InternalClient
    let services: [ServiceID]
    static let deepest = 1000

    struct Page: Decodable, Sendable {
        var items: [AuditRecordResponse]
        var total: Int
    }

    func list(_ request: Request, context: ComptoirRequestContext) async throws -> PagedList<AuditRecordResponse> {
        let principal = try context.require(.admin)
        let page = try PageRequest(from: request)
        _ = try AuditTrailQuery(from: request)
        let parameters = request.uri.queryParameters
        var asked = services
        if let name = parameters["service"].map(String.init), !name.isEmpty {
            guard let service = ServiceID(rawValue: name), services.contains(service) else {
                throw ProblemError.validation([
                    .init(field: "service", message: "must be one of \(services.map(\.rawValue).joined(separator: ", "))")
                ])
            }
            asked = [service]
        }
        let wanted = page.page * page.perPage
        guard wanted <= Self.deepest else {
            throw ProblemError.validation([
                .init(field: "page", message: "page × per_page must be at most \(Self.deepest) here; narrow the search with from and to")
            ])
        }
        let filters = ["actor_id", "action", "from", "to"].compactMap { name in
            parameters[name[...]].flatMap { String($0).addingPercentEncoding(withAllowedCharacters: Self.queryValue) }.map { "&\(name)=\($0)" }
        }.joined()
        let identity = InternalClient.Identity.user(principal)
        let pages = try await withThrowingTaskGroup(of: [Page].self) { group in
            for service in asked {
                group.addTask { try await fetch(service, wanted: wanted, filters: filters, identity: identity, request: request, context: context) }
            }
            return try await group.reduce(into: [Page]()) { $0 += $1 }
        }
        let merged = pages.flatMap(\.items).sorted { ($0.at, $0.id.uuidString) > ($1.at, $1.id.uuidString) }
        let total = Self.total(of: pages)
        let start = min(merged.count, (page.page - 1) * page.perPage)
        let items = Array(merged[start..<min(merged.count, start + page.perPage)])
        return PagedList(items: items, total: total, request: page)
    }

    /// One service's first `wanted` entries, 100 at a time; the page's `total` repeats on each.
    private func fetch(
        _ service: ServiceID,
        wanted: Int,
        filters: String,
        identity: InternalClient.Identity,
        request: Request,
        context: ComptoirRequestContext
    ) async throws -> [Page] {
        var pages: [Page] = []
        var number = 1
        repeat {
            let path = "/\(service.rawValue)/audit-trail?page=\(number)&per_page=100\(filters)"
            let page = try await client.get(service, path, as: Page.self, identity: identity, context: context, request: request)
            // Only the first page's total counts, so that a service asked twice is not counted twice.
            pages.append(number == 1 ? page : Page(items: page.items, total: 0))
            number += 1
            if page.items.count < 100 { break }
        } while (number - 1) * 100 < wanted
        return pages
    }

    static func total(of pages: [Page]) -> Int { pages.reduce(0) { $0 + $1.total } }

    /// Unreserved characters only: a filter value cannot add parameters to the services' query.
    static let queryValue = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}
