import FluentKit
import Foundation

/// A failed password attempt on an existing account, with the client address it came from:
/// ``LoginThrottle`` slows further attempts per account and address.
final class LoginFailure: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    /// The client address (the gateway's `X-Forwarded-For`), or nil when none was known.
    @OptionalField(key: "source") var source: String?
    @Field(key: "at") var at: Date

    init() {}

    init(userId: UUID, source: String?, at: Date = Date()) {
        self.id = UUID()
        self.userId = userId
        self.source = source
        self.at = at
    }
}
