import ComptoirContracts
import CoreMetrics
import FluentKit
import Hummingbird
import Logging

/// Records every staff action a service performs in its audit trail: a request that changes
/// something (not GET, HEAD or OPTIONS) by a caller with a staff role (`admin`, `support`,
/// `marketing`, `catalog`) that succeeded, and every refused attempt (403) by anyone — the shape of
/// suspicious activity. Internal calls between services are not staff actions.
///
/// Recorded once the response is known, from the route template and the path, the principal, the
/// client address and the request id; never from the body, so nothing secret can be kept. A
/// failure to record is logged and counted (`audit_write_failures_total`), not turned into an
/// error for an action that already happened.
public struct AuditMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext
    let database: ServiceDatabase
    let metrics: ServiceMetrics

    public init(database: ServiceDatabase, metrics: ServiceMetrics) {
        self.database = database
        self.metrics = metrics
    }

    static let staffRoles: Set<Role> = [.admin, .support, .marketing, .catalog]

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .forbidden {
            await record(request, context: context, status: 403)
            throw error
        }
        let status = response.status.code
        if status == 403 {
            await record(request, context: context, status: status)
        } else if status < 400, ![.get, .head, .options].contains(request.method), let principal = context.principal,
            !principal.roles.isDisjoint(with: Self.staffRoles)
        {
            await record(request, context: context, status: status)
        }
        return response
    }

    private func record(_ request: Request, context: Context, status: Int) async {
        let entry = AuditRecord(
            actorId: context.principal?.userId,
            actorRoles: context.principal?.roles.map(\.rawValue) ?? [],
            action: "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)",
            target: request.uri.path,
            status: status,
            ip: request.clientIP(context: context),
            requestId: context.requestID
        )
        do {
            try await entry.create(on: database.fluent)
        } catch {
            metrics.counter("audit_write_failures_total").increment()
            context.logger.error(
                "audit entry not recorded",
                metadata: ["action": .string(entry.action), "target": .string(entry.target), "error": .string(String(reflecting: error))]
            )
        }
    }
}
