import ComptoirContracts
import FluentKit
import Foundation

/// An event waiting in a service's own database to be published: written in the same
/// transaction as the state change it announces, so that neither exists without the other.
public final class OutboxMessage: Model, @unchecked Sendable {
    public static let schema = "outbox_messages"

    @ID(key: .id) public var id: UUID?
    @Field(key: "type") public var type: String
    @Field(key: "envelope") public var envelope: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "attempts") public var attempts: Int
    @Field(key: "next_attempt_at") public var nextAttemptAt: Date
    @OptionalField(key: "sent_at") public var sentAt: Date?
    @OptionalField(key: "dead_at") public var deadAt: Date?
    @OptionalField(key: "last_error") public var lastError: String?

    public init() {}

    init(envelope: EventEnvelope) throws {
        self.id = envelope.id
        self.type = envelope.type
        self.envelope = String(decoding: try envelope.encoded(), as: UTF8.self)
        self.createdAt = envelope.occurredAt
        self.attempts = 0
        self.nextAttemptAt = envelope.occurredAt
    }

    struct Migration: AsyncMigration {
        var name: String { "CreateOutboxMessages" }

        func prepare(on database: any Database) async throws {
            try await database.schema(OutboxMessage.schema)
                .id()
                .field("type", .string, .required)
                .field("envelope", .string, .required)
                .field("created_at", .datetime, .required)
                .field("attempts", .int, .required)
                .field("next_attempt_at", .datetime, .required)
                .field("sent_at", .datetime)
                .field("dead_at", .datetime)
                .field("last_error", .string)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(OutboxMessage.schema).delete()
        }
    }
}
