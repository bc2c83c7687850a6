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

/// `POST /newsletters/templates`.
struct TemplateRequest: Decodable, Sendable {
    var name: String
    var subject: String
    var text: String
    var html: String?
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
