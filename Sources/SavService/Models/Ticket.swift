import ComptoirKit
import FluentKit
import Foundation

/// A support ticket. The customer's name and e-mail are copied when it is opened, so replies can
/// be mailed from the event alone.
final class Ticket: Model, @unchecked Sendable {
    static let schema = "tickets"
    /// Ticket numbers such as `T2026-000042`.
    static let numbers = NumberSequence(table: "ticket_numbers", prefix: "T")

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "user_id") var userId: UUID
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "customer_email") var customerEmail: String
    @Field(key: "customer_name") var customerName: String
    @Field(key: "subject") var subject: String
    @Field(key: "status") var statusValue: String
    @OptionalField(key: "assignee_id") var assigneeId: UUID?
    @OptionalField(key: "order_id") var orderId: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    @Children(for: \.$ticket) var messages: [TicketMessage]
    @Children(for: \.$ticket) var attachments: [TicketAttachment]

    var status: TicketStatus {
        get { TicketStatus(rawValue: statusValue) ?? .open }
        set { statusValue = newValue.rawValue }
    }

    init() {}

    init(number: String, userId: UUID, websiteId: UUID, customer: CurrentUser, subject: String, orderId: UUID?) {
        self.id = UUID()
        self.number = number
        self.userId = userId
        self.websiteId = websiteId
        self.customerEmail = customer.email
        self.customerName = customer.name
        self.subject = subject
        self.statusValue = TicketStatus.open.rawValue
        self.orderId = orderId
        self.createdAt = Date()
        self.updatedAt = createdAt
    }
}

extension Ticket: WebsiteScoped {
    static var websiteIdKey: KeyPath<Ticket, FieldProperty<Ticket, UUID>> { \.$websiteId }
}
