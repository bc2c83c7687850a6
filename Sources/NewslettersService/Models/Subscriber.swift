import FluentKit
import Foundation

/// An address on a store's newsletter list: `pending` until it confirms (double opt-in),
/// `confirmed` while it receives campaigns, `unsubscribed` once it leaves.
final class Subscriber: Model, @unchecked Sendable {
    static let schema = "subscribers"

    enum Status: String, Sendable { case pending, confirmed, unsubscribed }

    @ID(key: .id) var id: UUID?
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "email") var email: String
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "confirmed_at") var confirmedAt: Date?
    @OptionalField(key: "unsubscribed_at") var unsubscribedAt: Date?

    init() {}

    init(websiteId: UUID, email: String) {
        self.id = UUID()
        self.websiteId = websiteId
        self.email = email
        self.status = Status.pending.rawValue
        self.createdAt = Date()
    }
}
