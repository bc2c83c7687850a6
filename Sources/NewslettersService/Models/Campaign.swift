import ComptoirKit
import FluentKit
import Foundation

/// A mail to every confirmed subscriber of a store: `draft` → `scheduled` → `sending` → `sent`.
final class Campaign: Model, @unchecked Sendable {
    static let schema = "campaigns"

    enum Status: String, Sendable, CaseIterable { case draft, scheduled, sending, sent }

    @ID(key: .id) var id: UUID?
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "subject") var subject: String
    @Field(key: "template_id") var templateId: UUID
    @Field(key: "status") var status: String
    @OptionalField(key: "scheduled_at") var scheduledAt: Date?
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(websiteId: UUID, subject: String, templateId: UUID) {
        self.id = UUID()
        self.websiteId = websiteId
        self.subject = subject
        self.templateId = templateId
        self.status = Status.draft.rawValue
        self.createdAt = Date()
    }

    /// The `cause_id` of its mails: one per recipient, ever.
    var causeId: String { get throws { "campaign:\(try requireID().uuidString.lowercased())" } }
}

extension Campaign: WebsiteScoped {
    static var websiteIdKey: KeyPath<Campaign, FieldProperty<Campaign, UUID>> { \.$websiteId }
}
