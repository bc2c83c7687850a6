import FluentKit
import Foundation

/// A file attached to a ticket; its bytes are in the blob store under ``blobKey``.
final class TicketAttachment: Model, @unchecked Sendable {
    static let schema = "ticket_attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ticket_id") var ticket: Ticket
    @Field(key: "uploader_id") var uploaderId: UUID
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int64
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), ticketId: UUID, uploaderId: UUID, filename: String, contentType: String, size: Int64) {
        self.id = id
        self.$ticket.id = ticketId
        self.uploaderId = uploaderId
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.createdAt = Date()
    }

    static func blobKey(ticket: UUID, attachment: UUID) -> String {
        "tickets/\(ticket.uuidString.lowercased())/\(attachment.uuidString.lowercased())"
    }
}
