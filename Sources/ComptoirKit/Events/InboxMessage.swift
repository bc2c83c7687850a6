import FluentKit
import Foundation

/// The id of an event a service has already handled, written in the same transaction as the
/// handler's effect: a redelivered event finds its id here and is acknowledged without effect.
public final class InboxMessage: Model, @unchecked Sendable {
    public static let schema = "inbox_messages"

    @ID(key: .id) public var id: UUID?
    @Field(key: "type") public var type: String
    @Field(key: "source") public var source: String
    @Field(key: "received_at") public var receivedAt: Date

    public init() {}

    struct Migration: AsyncMigration {
        var name: String { "CreateInboxMessages" }

        func prepare(on database: any Database) async throws {
            try await database.schema(InboxMessage.schema)
                .id()
                .field("type", .string, .required)
                .field("source", .string, .required)
                .field("received_at", .datetime, .required)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(InboxMessage.schema).delete()
        }
    }
}
