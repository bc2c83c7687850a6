import Foundation

/// `contacts.message.received`: someone used the contact form; newsletters mails the team the
/// topic is routed to.
public struct ContactMessageReceived: DomainEvent, Equatable {
    public static let type = "contacts.message.received"
    public var messageId: UUID
    public var name: String
    public var email: String
    public var topic: String
    public var message: String
    /// Where this topic goes (`COMPTOIR_CONTACT_ROUTES`).
    public var teamEmail: String

    public init(messageId: UUID, name: String, email: String, topic: String, message: String, teamEmail: String) {
        self.messageId = messageId
        self.name = name
        self.email = email
        self.topic = topic
        self.message = message
        self.teamEmail = teamEmail
    }
}
