import FluentKit
import Foundation

/// Who a user id is, for mails caused by events that carry only the id (a shipment update):
/// learnt from `auth.user.registered` and `orders.order.confirmed`.
final class Recipient: Model, @unchecked Sendable {
    static let schema = "recipients"

    @ID(custom: "user_id", generatedBy: .user) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String

    init() {}

    init(userId: UUID, email: String, name: String) {
        self.id = userId
        self.email = email
        self.name = name
    }

    /// Records or refreshes `userId`'s address inside the caller's transaction.
    static func remember(_ userId: UUID, email: String, name: String, on tx: any Database) async throws {
        if let known = try await Recipient.find(userId, on: tx) {
            known.email = email
            known.name = name
            try await known.update(on: tx)
        } else {
            try await Recipient(userId: userId, email: email, name: name).create(on: tx)
        }
    }
}
