/// What a caller may do. `admin` may do everything; `service` is for internal calls between services.
public enum Role: String, Codable, Sendable, CaseIterable, Hashable {
    case customer
    case admin
    case support
    case marketing
    case catalog
    case service

    /// Roles an administrator can grant to a user (not `service`).
    public static let assignable: [Role] = [.customer, .admin, .support, .marketing, .catalog]
}
