import ComptoirKit
import FluentKit
import Foundation

/// `POST /newsletters/subscriptions`.
struct SubscribeRequest: Decodable, Sendable {
    var email: String
}

/// `POST /newsletters/unsubscribe` (the token may also come in the query, for one-click links).
struct UnsubscribeRequest: Decodable, Sendable {
    var token: String
}

/// What a confirmation or an unsubscription says.
struct SubscriptionResponse: Encodable, Sendable {
    var email: String
    var status: String
}

/// An address on the list as marketing sees it.
struct SubscriberResponse: Encodable, Sendable {
    var id: UUID
    var email: String
    var status: String
    var createdAt: Date
    var confirmedAt: Date?
    var unsubscribedAt: Date?

    init(_ subscriber: Subscriber) throws {
        self.id = try subscriber.requireID()
        self.email = subscriber.email
        self.status = subscriber.status
        self.createdAt = subscriber.createdAt
        self.confirmedAt = subscriber.confirmedAt
        self.unsubscribedAt = subscriber.unsubscribedAt
    }
}

/// `POST /newsletters/templates` and `PUT /newsletters/templates/{id}`.
struct TemplateRequest: Decodable, Sendable {
    var name: String
    var subject: String
    var text: String
    var html: String?

    /// Checks the fields and compiles the sources, so that a template that cannot render is
    /// never saved.
    func validated() throws -> CampaignTemplate {
        var validator = Validator()
        validator.text(name, "name", length: 1...100)
        validator.text(subject, "subject", length: 1...200)
        validator.expect(
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && text.count <= 100_000,
            "text",
            "is required: the plain-text part, at most 100,000 characters"
        )
        validator.expect((html?.count ?? 0) <= 500_000, "html", "must be at most 500,000 characters")
        try validator.check()
        return try CampaignTemplate(subject: subject, text: text, html: html)
    }
}

/// `POST /newsletters/templates/preview`: unsaved sources and sample values, for a live preview
/// while a template is edited.
struct DraftPreviewRequest: Decodable, Sendable {
    var subject: String
    var text: String
    var html: String?
    var values: [String: String]?

    func validated() throws -> (template: CampaignTemplate, values: [String: String], email: String) {
        let template = try TemplateRequest(name: "preview", subject: subject, text: text, html: html).validated()
        let sample = try PreviewRequest(values: values).validated()
        return (template, sample.values, sample.email)
    }
}

/// A template as the API shows it, with its sources.
struct TemplateResponse: Encodable, Sendable {
    var id: UUID
    var name: String
    var subject: String
    var text: String
    var html: String?
    var createdAt: Date
}

/// `POST /newsletters/templates/{id}/preview`: sample values for the variables.
struct PreviewRequest: Decodable, Sendable {
    var values: [String: String]?

    /// A handful of values, each no longer than an e-mail address: every `{{tag}}` of a template
    /// (up to 100,000 of them in 500,000 characters) may repeat a value, so a preview never
    /// renders more than a subscriber's mail would.
    static let maximumValues = 20
    static let maximumNameLength = 64
    static let maximumValueLength = 254

    /// The values, with `email` defaulting to a sample address.
    func validated() throws -> (values: [String: String], email: String) {
        var values = self.values ?? [:]
        var validator = Validator()
        validator.expect(
            values.count <= Self.maximumValues
                && values.allSatisfy { $0.key.count <= Self.maximumNameLength && $0.value.count <= Self.maximumValueLength },
            "values",
            "must be at most \(Self.maximumValues) values, each name at most \(Self.maximumNameLength) characters "
                + "and each value at most \(Self.maximumValueLength)"
        )
        try validator.check()
        let email = values["email"] ?? "subscriber@example.com"
        values["email"] = email
        return (values, email)
    }
}

/// `POST /newsletters/campaigns`.
struct CampaignRequest: Decodable, Sendable {
    var subject: String
    var templateId: UUID
    var scheduledAt: Date?
}

/// `POST /newsletters/campaigns/{id}/send`: now, or at `scheduled_at`.
struct SendRequest: Decodable, Sendable {
    var scheduledAt: Date?
}

/// A campaign as the API shows it.
struct CampaignResponse: Encodable, Sendable {
    var id: UUID
    var subject: String
    var templateId: UUID
    var status: String
    var scheduledAt: Date?
    var startedAt: Date?
    var finishedAt: Date?
    var sentCount: Int
    var createdAt: Date

    init(_ campaign: Campaign, sentCount: Int) throws {
        self.id = try campaign.requireID()
        self.subject = campaign.subject
        self.templateId = campaign.templateId
        self.status = campaign.status
        self.scheduledAt = campaign.scheduledAt
        self.startedAt = campaign.startedAt
        self.finishedAt = campaign.finishedAt
        self.sentCount = sentCount
        self.createdAt = campaign.createdAt
    }
}
