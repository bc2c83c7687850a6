import FluentKit
import Foundation

/// Appends to the audit log, in the caller's transaction where there is one.
struct AuditLog: Sendable {
    func record(
        _ action: AuditAction,
        userId: UUID?,
        actorId: UUID? = nil,
        client: ClientInfo,
        detail: String? = nil,
        on database: any Database
    ) async throws {
        try await AuditEntry(action: action, userId: userId, actorId: actorId, client: client, detail: detail).create(on: database)
    }
}
