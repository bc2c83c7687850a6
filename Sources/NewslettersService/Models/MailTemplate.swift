import ComptoirKit
import FluentKit
import Foundation

/// A marketing mail's Mustache template: the subject here, the text and HTML bodies in the
/// blob store (`templates/<id>.txt`, `templates/<id>.html`).
final class MailTemplate: Model, @unchecked Sendable {
    static let schema = "mail_templates"

    @ID(key: .id) var id: UUID?
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "name") var name: String
    @Field(key: "subject") var subject: String
    @Field(key: "has_html") var hasHTML: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(websiteId: UUID, name: String, subject: String, hasHTML: Bool) {
        self.id = UUID()
        self.websiteId = websiteId
        self.name = name
        self.subject = subject
        self.hasHTML = hasHTML
        self.createdAt = Date()
    }

    var textKey: String { get throws { "templates/\(try requireID().uuidString.lowercased()).txt" } }
    var htmlKey: String { get throws { "templates/\(try requireID().uuidString.lowercased()).html" } }
}

extension MailTemplate: WebsiteScoped {
    static var websiteIdKey: KeyPath<MailTemplate, FieldProperty<MailTemplate, UUID>> { \.$websiteId }
}
