import ComptoirKit
import FluentKit
import SQLKit

struct CreateOutgoingMails: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OutgoingMail.schema)
            .id()
            .field("website_id", .uuid)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body_text", .string, .required)
            .field("body_html", .string)
            .field("reason", .string, .required)
            .field("cause_id", .string, .required)
            .field("message_id", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int64, .required)
            .field("last_error", .string)
            .field("next_attempt_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .unique(on: "cause_id", "recipient")
            .create()
        let sql = database.sql
        try await sql.create(index: "outgoing_mails_due").on(OutgoingMail.schema).column("status").column("next_attempt_at").run()
        try await sql.create(index: "outgoing_mails_recipient").on(OutgoingMail.schema).column("recipient").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutgoingMail.schema).delete()
    }
}
