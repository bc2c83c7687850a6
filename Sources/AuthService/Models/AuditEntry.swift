import FluentKit
import Foundation

/// Who did what, when, from where: logins and their failures, token reuse, password and role changes.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_log"

    @ID(key: .id) var id: UUID?
    @Field(key: "action") var action: String
    /// The account the action is about.
    @OptionalField(key: "user_id") var userId: UUID?
    /// The account that did it, when it is someone else (an admin changing roles).
    @OptionalField(key: "actor_id") var actorId: UUID?
    @OptionalField(key: "ip") var ip: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    @OptionalField(key: "detail") var detail: String?
    @Field(key: "at") var at: Date

    init() {}

    init(action: AuditAction, userId: UUID?, actorId: UUID? = nil, client: ClientInfo, detail: String? = nil) {
        self.id = UUID()
        self.action = action.rawValue
        self.userId = userId
        self.actorId = actorId
        self.ip = client.ip
        self.userAgent = client.userAgent.map { String($0.prefix(512)) }
        self.detail = detail
        self.at = Date()
    }
}

/// The actions the audit log records.
enum AuditAction: String, Sendable, CaseIterable {
    case userRegistered = "user.registered"
    case loginSucceeded = "login.succeeded"
    case loginFailed = "login.failed"
    case loginLocked = "login.locked"
    case tokenRefreshed = "token.refreshed"
    case tokenReused = "token.reused"
    case logout = "logout"
    case passwordChanged = "password.changed"
    case passwordResetRequested = "password.reset_requested"
    case passwordReset = "password.reset"
    case rolesChanged = "roles.changed"
    case adminBootstrapped = "admin.bootstrapped"
}

/// Where a request came from, for the audit log.
struct ClientInfo: Sendable {
    var ip: String?
    var userAgent: String?
    var requestId: String?

    static let commandLine = ClientInfo(ip: nil, userAgent: "comptoir command line")
}
