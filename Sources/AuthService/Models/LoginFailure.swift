import FluentKit
import Foundation

/// A failed password attempt on an existing account; five within the lockout window lock it.
final class LoginFailure: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "at") var at: Date

    init() {}

    init(userId: UUID, at: Date = Date()) {
        self.id = UUID()
        self.userId = userId
        self.at = at
    }
}
