import FluentKit

/// `outgoing_mails.traceparent`: the trace a queued mail belongs to (issue 15).
struct AddMailTraceContext: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OutgoingMail.schema).field("traceparent", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutgoingMail.schema).deleteField("traceparent").update()
    }
}
