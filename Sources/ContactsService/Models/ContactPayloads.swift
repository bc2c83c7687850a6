import ComptoirKit
import FluentKit
import Foundation

/// `POST /contacts`. `website` is the honeypot: a field people never see and bots fill in.
struct ContactForm: Decodable, Sendable {
    var name: String
    var email: String
    var topic: String
    var message: String
    var website: String?

    static let topics = ["sales", "support", "press", "other"]

    /// Whether a bot filled the hidden field.
    var isSpam: Bool { !(website ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

    /// Every rule at once; returns the trimmed values.
    func validated() throws -> ContactForm {
        var validator = Validator()
        validator.text(name, "name", length: 1...100)
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        validator.email(email)
        validator.expect(Self.topics.contains(topic), "topic", "must be one of \(Self.topics.joined(separator: ", "))")
        validator.text(message, "message", length: 10...5000)
        try validator.check()
        var result = self
        result.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        result.email = email
        result.message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return result
    }
}

/// The answer to a sent form.
struct ContactReceipt: Encodable, Sendable {
    var id: UUID
    var status = "received"
}

/// A message as admins see it.
struct ContactMessageResponse: Encodable, Sendable {
    var id: UUID
    var name: String
    var email: String
    var topic: String
    var message: String
    var routedTo: String
    var clientIp: String?
    var createdAt: Date

    init(_ message: ContactMessage) throws {
        self.id = try message.requireID()
        self.name = message.name
        self.email = message.email
        self.topic = message.topic
        self.message = message.message
        self.routedTo = message.routedTo
        self.clientIp = message.clientIP
        self.createdAt = message.createdAt
    }
}
