import FluentKit
import Foundation

/// One row of `GET /newsletters/mails`.
struct MailLogEntry: Encodable, Sendable {
    var id: UUID
    var to: String
    var subject: String
    var bodyText: String
    /// The event type or campaign id that caused the mail.
    var reason: String
    /// `queued`, `sent` or `failed`.
    var status: String
    var createdAt: Date
    var sentAt: Date?

    init(_ mail: OutgoingMail) throws {
        self.id = try mail.requireID()
        self.to = mail.recipient
        self.subject = mail.subject
        self.bodyText = mail.bodyText
        self.reason = mail.reason
        self.status = mail.status
        self.createdAt = mail.createdAt
        self.sentAt = mail.sentAt
    }
}
