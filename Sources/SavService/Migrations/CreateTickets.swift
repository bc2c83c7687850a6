import ComptoirKit
import FluentKit
import SQLKit

struct CreateTickets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Ticket.schema)
            .id()
            .field("number", .string, .required)
            .field("user_id", .uuid, .required)
            .field("website_id", .uuid, .required)
            .field("customer_email", .string, .required)
            .field("customer_name", .string, .required)
            .field("subject", .string, .required)
            .field("status", .string, .required)
            .field("assignee_id", .uuid)
            .field("order_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.schema(TicketMessage.schema)
            .id()
            .field("ticket_id", .uuid, .required, .references(Ticket.schema, "id", onDelete: .cascade))
            .field("author_id", .uuid, .required)
            .field("author_role", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(TicketAttachment.schema)
            .id()
            .field("ticket_id", .uuid, .required, .references(Ticket.schema, "id", onDelete: .cascade))
            .field("uploader_id", .uuid, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int64, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await Ticket.numbers.create(on: database)
        let sql = database.sql
        try await sql.create(index: "tickets_user").on(Ticket.schema).column("user_id").column("created_at").run()
        try await sql.create(index: "tickets_queue").on(Ticket.schema).column("website_id").column("status").column("created_at").run()
        try await sql.create(index: "ticket_messages_ticket").on(TicketMessage.schema).column("ticket_id").run()
        try await sql.create(index: "ticket_attachments_ticket").on(TicketAttachment.schema).column("ticket_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [TicketAttachment.schema, TicketMessage.schema, Ticket.schema] {
            try await database.schema(schema).delete()
        }
        try await Ticket.numbers.drop(on: database)
    }
}
