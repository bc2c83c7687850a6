import FluentKit
import Foundation

/// One message sent through the contact form.
final class ContactMessage: Model, @unchecked Sendable {
    static let schema = "contact_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "name") var name: String
    @Field(key: "email") var email: String
    @Field(key: "topic") var topic: String
    @Field(key: "message") var message: String
    /// The team address the topic was routed to when it arrived.
    @Field(key: "routed_to") var routedTo: String
    @OptionalField(key: "client_ip") var clientIP: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(websiteId: UUID, form: ContactForm, routedTo: String, clientIP: String?, userAgent: String?) {
        self.id = UUID()
        self.websiteId = websiteId
        self.name = form.name
        self.email = form.email
        self.topic = form.topic
        self.message = form.message
        self.routedTo = routedTo
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.createdAt = Date()
    }
}
