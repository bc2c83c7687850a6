import FluentKit
import Foundation
import SQLKit

/// One entry of a service's audit trail: who did what to which resource, when, from where, under
/// which request id, and how it ended. Never a request body: nothing secret is kept.
public final class AuditRecord: Model, @unchecked Sendable {
    public static let schema = "audit_trail"

    @ID(key: .id) public var id: UUID?
    @Field(key: "at") public var at: Date
    /// The account that acted; `nil` for an anonymous caller (a login attempt).
    @OptionalField(key: "actor_id") public var actorId: UUID?
    /// The actor's roles at the time, comma-separated.
    @Field(key: "actor_roles") public var actorRoles: String
    /// What was done: `<METHOD> <route template>` (`PATCH /products/{id}`), or a named security
    /// event (`login.failed`).
    @Field(key: "action") public var action: String
    /// What it was done to: the request path (`/products/5b1…`) or `user/<id>`.
    @Field(key: "target") public var target: String
    /// The status answered; 403 for a refused attempt.
    @Field(key: "status") public var status: Int
    @OptionalField(key: "ip") public var ip: String?
    @OptionalField(key: "request_id") public var requestId: String?

    public init() {}

    public init(actorId: UUID?, actorRoles: [String], action: String, target: String, status: Int, ip: String?, requestId: String?) {
        self.id = UUID()
        self.at = Date()
        self.actorId = actorId
        self.actorRoles = actorRoles.sorted().joined(separator: ",")
        self.action = String(action.prefix(200))
        self.target = String(target.prefix(500))
        self.status = status
        self.ip = ip.map { String($0.prefix(64)) }
        self.requestId = requestId.map { String($0.prefix(128)) }
    }

    /// The table, with the indexes its queries use (newest first, by actor, by action).
    public struct Migration: AsyncMigration {
        public init() {}

        public func prepare(on database: any Database) async throws {
            try await database.schema(AuditRecord.schema)
                .id()
                .field("at", .datetime, .required)
                .field("actor_id", .uuid)
                .field("actor_roles", .string, .required)
                .field("action", .string, .required)
                .field("target", .string, .required)
                .field("status", .int, .required)
                .field("ip", .string)
                .field("request_id", .string)
                .create()
            for column in ["at", "actor_id", "action"] {
                try await database.sql.raw("CREATE INDEX \(ident: "audit_trail_\(column)") ON \(ident: AuditRecord.schema) (\(ident: column))").run()
            }
        }

        public func revert(on database: any Database) async throws {
            try await database.schema(AuditRecord.schema).delete()
        }
    }
}
