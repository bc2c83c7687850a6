import FluentKit
import Foundation

/// One mail the platform sends, from the moment it is decided (queued, in the same transaction
/// as the event that caused it) until the mailer accepted it. It is also the mail log.
final class OutgoingMail: Model, @unchecked Sendable {
    static let schema = "outgoing_mails"

    enum Status: String, Sendable {
        /// `cancelled`: a campaign mail whose recipient unsubscribed before it left.
        case queued, sent, failed, cancelled
    }

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "website_id") var websiteId: UUID?
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body_text") var bodyText: String
    @OptionalField(key: "body_html") var bodyHTML: String?
    /// The event type or campaign id that caused it.
    @Field(key: "reason") var reason: String
    /// The event (or campaign) this mail is for: one mail per cause and recipient, ever.
    @Field(key: "cause_id") var causeId: String
    /// Set for campaign mails: an unsubscription cancels those still queued.
    @OptionalField(key: "campaign_id") var campaignId: UUID?
    /// The one-click unsubscribe URL of marketing mail (`List-Unsubscribe`, RFC 8058).
    @OptionalField(key: "list_unsubscribe") var listUnsubscribe: String?
    @Field(key: "message_id") var messageId: String
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// The trace context of what queued it, so that its sending joins that trace.
    @OptionalField(key: "traceparent") var traceparent: String?

    init() {}

    init(websiteId: UUID?, recipient: String, subject: String, text: String, html: String?, reason: String, causeId: String, now: Date = Date()) {
        let id = UUID()
        self.id = id
        self.websiteId = websiteId
        self.recipient = recipient.lowercased()
        self.subject = subject
        self.bodyText = text
        self.bodyHTML = html
        self.reason = reason
        self.causeId = causeId
        self.messageId = "<\(id.uuidString.lowercased())@comptoir>"
        self.status = Status.queued.rawValue
        self.attempts = 0
        self.nextAttemptAt = now
        self.createdAt = now
    }
}

extension OutgoingMail {
    /// The `kind` label of the mail metrics: the event type (`orders.order.confirmed`), or
    /// `campaign` for a campaign's mail, whose reason is its id: one series per campaign would
    /// grow without bound.
    var metricKind: String { reason.contains(".") ? reason : "campaign" }
}
