import Foundation
import SMTP

/// Sends e-mail: `.eml` files in embedded mode, SMTP in cluster mode.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
    /// Fails when mail cannot be sent; for `/health/ready`.
    func ping() async throws
}

/// One e-mail. Every mail has a plain-text part; the HTML part is optional.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String?
    /// Extra headers such as `List-Unsubscribe`.
    public var headers: [(String, String)]
    public var messageID: String

    public init(from: String, to: [String], subject: String, text: String, html: String? = nil, headers: [(String, String)] = [], messageID: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.messageID = messageID ?? "<\(UUID().uuidString.lowercased())@comptoir>"
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.messageID == rhs.messageID && lhs.from == rhs.from && lhs.to == rhs.to && lhs.subject == rhs.subject && lhs.text == rhs.text
            && lhs.html == rhs.html && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }

    /// The message as MIME (``SMTP/MIMEMessage``): the same bytes for an `.eml` file and for SMTP.
    public func mime(date: Date = Date()) -> MIMEMessage {
        MIMEMessage(from: from, to: to, subject: subject, text: text, html: html, headers: headers, messageID: messageID, date: date)
    }

    /// The message in RFC 5322 form with MIME parts (UTF-8 parts in base64).
    public func rfc5322(date: Date = Date()) -> String {
        mime(date: date).rendered()
    }
}
