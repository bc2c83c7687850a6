import ComptoirContracts
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
        // A reset link is a key to the account: the log says it was sent, not what it opens.
        self.bodyText = mail.reason == PasswordResetRequested.type ? "(redacted: this mail holds a password reset link)" : mail.bodyText
        self.reason = mail.reason
        self.status = mail.status
        self.createdAt = mail.createdAt
        self.sentAt = mail.sentAt
    }
}
