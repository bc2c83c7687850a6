import ComptoirContracts
import FluentKit
import Foundation

/// An audit entry as `GET /<service>/audit-trail` and the gateway's merged `GET /audit` show it.
public struct AuditRecordResponse: Codable, Sendable {
    public var id: UUID
    public var service: String
    public var actorId: UUID?
    public var actorRoles: [String]
    public var action: String
    public var target: String
    public var status: Int
    public var at: Date
    public var ip: String?
    public var requestId: String?

    public init(_ record: AuditRecord, service: ServiceID) throws {
        self.id = try record.requireID()
        self.service = service.rawValue
        self.actorId = record.actorId
        self.actorRoles = record.actorRoles.split(separator: ",").map(String.init)
        self.action = record.action
        self.target = record.target
        self.status = record.status
        self.at = record.at
        self.ip = record.ip
        self.requestId = record.requestId
    }

    /// The OpenAPI schema of one entry.
    public static let schema = OpenAPI.object(
        [
            "id": OpenAPI.uuid, "service": OpenAPI.string, "actor_id": OpenAPI.nullable("string"), "actor_roles": OpenAPI.array(of: OpenAPI.string),
            "action": OpenAPI.string, "target": OpenAPI.string, "status": OpenAPI.integer, "at": OpenAPI.dateTime,
            "ip": OpenAPI.nullable("string"), "request_id": OpenAPI.nullable("string"),
        ],
        required: ["id", "service", "actor_roles", "action", "target", "status", "at"]
    )
}
