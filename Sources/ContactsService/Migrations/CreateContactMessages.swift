import ComptoirKit
import FluentKit
import SQLKit

struct CreateContactMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ContactMessage.schema)
            .id()
            .field("website_id", .uuid, .required)
            .field("name", .string, .required)
            .field("email", .string, .required)
            .field("topic", .string, .required)
            .field("message", .string, .required)
            .field("routed_to", .string, .required)
            .field("client_ip", .string)
            .field("user_agent", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "contact_messages_listing").on(ContactMessage.schema)
            .column("website_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ContactMessage.schema).delete()
    }
}
