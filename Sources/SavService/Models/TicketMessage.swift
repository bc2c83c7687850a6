import FluentKit
import Foundation

/// One message of a ticket's thread, by the customer or an agent.
final class TicketMessage: Model, @unchecked Sendable {
    static let schema = "ticket_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ticket_id") var ticket: Ticket
    @Field(key: "author_id") var authorId: UUID
    /// `customer` or `support`.
    @Field(key: "author_role") var authorRole: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(ticketId: UUID, authorId: UUID, authorRole: String, body: String) {
        self.id = UUID()
        self.$ticket.id = ticketId
        self.authorId = authorId
        self.authorRole = authorRole
        self.body = body
        self.createdAt = Date()
    }
}
