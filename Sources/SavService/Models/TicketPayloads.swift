import ComptoirKit
import FluentKit
import Foundation

/// `POST /sav/tickets`.
struct NewTicketRequest: Decodable, Sendable {
    var subject: String
    var message: String
    var orderId: UUID?

    func validated() throws -> NewTicketRequest {
        var validator = Validator()
        validator.text(subject, "subject", length: 3...200)
        validator.text(message, "message", length: 1...10_000)
        try validator.check()
        return NewTicketRequest(
            subject: subject.trimmingCharacters(in: .whitespacesAndNewlines),
            message: message.trimmingCharacters(in: .whitespacesAndNewlines),
            orderId: orderId
        )
    }
}

/// `POST /sav/tickets/{id}/messages`.
struct NewMessageRequest: Decodable, Sendable {
    var body: String

    func validated() throws -> String {
        var validator = Validator()
        validator.text(body, "body", length: 1...10_000)
        try validator.check()
        return body.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `PATCH /sav/tickets/{id}`: `assignee_id` null unassigns; absent leaves it.
struct TicketUpdateRequest: Decodable, Sendable {
    var status: String?
    var assigneeId: UUID??

    enum CodingKeys: String, CodingKey { case status, assigneeId }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.status = try container.decodeIfPresent(String.self, forKey: .status)
        self.assigneeId =
            container.contains(.assigneeId)
            ? .some(try container.decodeNil(forKey: .assigneeId) ? nil : try container.decode(UUID.self, forKey: .assigneeId)) : .none
    }
}

/// A ticket as the API shows it, with its thread and files.
struct TicketResponse: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var id: UUID
        var authorId: UUID
        var authorRole: String
        /// Who wrote it as the customer sees it: their own name, or the support team (an
        /// agent's own name is not theirs to publish).
        var authorName: String
        var body: String
        var createdAt: Date
    }

    static let supportTeamName = "Customer support"

    var id: UUID
    var number: String
    var status: String
    var subject: String
    var userId: UUID
    var customerName: String
    var assigneeId: UUID?
    var orderId: UUID?
    var messages: [Message]
    var attachments: [AttachmentResponse]
    var createdAt: Date
    var updatedAt: Date

    /// `ticket` with its messages and attachments loaded.
    init(_ ticket: Ticket) throws {
        self.id = try ticket.requireID()
        self.number = ticket.number
        self.status = ticket.statusValue
        self.subject = ticket.subject
        self.userId = ticket.userId
        self.customerName = ticket.customerName
        self.assigneeId = ticket.assigneeId
        self.orderId = ticket.orderId
        self.messages = try ticket.messages.map {
            Message(
                id: try $0.requireID(),
                authorId: $0.authorId,
                authorRole: $0.authorRole,
                authorName: $0.authorId == ticket.userId ? ticket.customerName : Self.supportTeamName,
                body: $0.body,
                createdAt: $0.createdAt
            )
        }.sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
        self.attachments = try ticket.attachments.sorted { $0.createdAt < $1.createdAt }.map(AttachmentResponse.init)
        self.createdAt = ticket.createdAt
        self.updatedAt = ticket.updatedAt
    }
}

/// `POST /sav/tickets/{id}/attachments` → 201, and each file of a ticket.
struct AttachmentResponse: Encodable, Sendable {
    var id: UUID
    var filename: String
    var contentType: String
    var size: Int64
    var createdAt: Date

    init(_ attachment: TicketAttachment) throws {
        self.id = try attachment.requireID()
        self.filename = attachment.filename
        self.contentType = attachment.contentType
        self.size = attachment.size
        self.createdAt = attachment.createdAt
    }
}
