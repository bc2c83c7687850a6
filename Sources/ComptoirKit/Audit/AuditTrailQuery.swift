import ComptoirContracts
import FluentKit
import Foundation
import Hummingbird

/// The filters of an audit listing: `actor_id`, `action` (exact), `from` and `to` (RFC 3339,
/// inclusive), each a 422 naming the parameter when malformed.
public struct AuditTrailQuery: Sendable {
    public var actorId: UUID?
    public var action: String?
    public var from: Date?
    public var to: Date?

    public init(from request: Request) throws {
        let parameters = request.uri.queryParameters
        var errors: [Problem.FieldError] = []
        if let raw = parameters["actor_id"].map(String.init), !raw.isEmpty {
            actorId = UUID(uuidString: raw)
            if actorId == nil { errors.append(.init(field: "actor_id", message: "must be a UUID")) }
        }
        if let raw = parameters["action"].map(String.init), !raw.isEmpty {
            if raw.count > 200 { errors.append(.init(field: "action", message: "must be at most 200 characters")) } else { action = raw }
        }
        for name in ["from", "to"] {
            guard let raw = parameters[name[...]].map(String.init), !raw.isEmpty else { continue }
            guard let date = RFC3339.date(from: raw) else {
                errors.append(.init(field: name, message: "must be an RFC 3339 time such as 2026-12-01T09:00:00Z"))
                continue
            }
            if name == "from" { from = date } else { to = date }
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
    }

    /// The query parameters as the OpenAPI documents list them.
    public static let parameters: [JSONValue] = [
        OpenAPI.parameter("actor_id", OpenAPI.uuid), OpenAPI.parameter("action", ["type": "string", "maxLength": 200]),
        OpenAPI.parameter("from", OpenAPI.dateTime), OpenAPI.parameter("to", OpenAPI.dateTime),
    ]

    /// The records matching, for `query`.
    public func apply(to query: QueryBuilder<AuditRecord>) -> QueryBuilder<AuditRecord> {
        var query = query
        if let actorId { query = query.filter(\.$actorId == actorId) }
        if let action { query = query.filter(\.$action == action) }
        if let from { query = query.filter(\.$at >= from) }
        if let to { query = query.filter(\.$at <= to) }
        return query
    }
}
