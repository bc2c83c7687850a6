import ComptoirKit
import FluentKit
import SQLKit

/// Subscribers, templates, campaigns and the recipient directory; campaign columns on the mail log.
struct CreateNewsletters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Subscriber.schema)
            .id()
            .field("website_id", .uuid, .required)
            .field("email", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("confirmed_at", .datetime)
            .field("unsubscribed_at", .datetime)
            .unique(on: "website_id", "email")
            .create()
        try await database.schema(MailTemplate.schema)
            .id()
            .field("website_id", .uuid, .required)
            .field("name", .string, .required)
            .field("subject", .string, .required)
            .field("has_html", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(Campaign.schema)
            .id()
            .field("website_id", .uuid, .required)
            .field("subject", .string, .required)
            .field("template_id", .uuid, .required)
            .field("status", .string, .required)
            .field("scheduled_at", .datetime)
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(Recipient.schema)
            .field("user_id", .uuid, .identifier(auto: false))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .create()
        // One column per ALTER TABLE: SQLite adds one at a time.
        try await database.schema(OutgoingMail.schema).field("campaign_id", .uuid).update()
        try await database.schema(OutgoingMail.schema).field("list_unsubscribe", .string).update()
        let sql = database.sql
        try await sql.create(index: "subscribers_sending").on(Subscriber.schema).column("website_id").column("status").column("email").run()
        try await sql.create(index: "outgoing_mails_campaign").on(OutgoingMail.schema).column("campaign_id").column("status").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [Recipient.schema, Campaign.schema, MailTemplate.schema, Subscriber.schema] {
            try await database.schema(schema).delete()
        }
    }
}
