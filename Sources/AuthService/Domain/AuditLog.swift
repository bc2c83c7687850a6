import ComptoirKit
import FluentKit
import Foundation

/// Appends to the audit log, in the caller's transaction where there is one; every action but a
/// role change also goes into the service's audit trail (``AuditRecord``), which the gateway
/// merges with the other services'. A role change is an admin's request, which the kit's
/// ``AuditMiddleware`` records there already.
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
        guard action != .rolesChanged else { return }
        try await AuditRecord(
            actorId: actorId ?? userId,
            actorRoles: [],
            action: action.rawValue,
            target: userId.map { "user/\($0.uuidString.lowercased())" } ?? "",
            status: action.isRefusal ? 401 : 200,
            ip: client.ip,
            requestId: client.requestId
        ).create(on: database)
    }
}

extension AuditAction {
    /// A refused attempt rather than something done.
    var isRefusal: Bool { self == .loginFailed || self == .loginLocked || self == .tokenReused }
}
