import Foundation

/// Sends e-mail: `.eml` files in embedded mode, SMTP in cluster mode.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
    /// Fails when mail cannot be sent; for `/health/ready`.
    func ping() async throws
    /// Whether mail waits in the sender's queue while `ping` fails, so that a failure degrades the
    /// service rather than failing it (a relay that is down), or is lost (a mail folder that is not
    /// writable, which is a failure).
    var queuesWhileUnavailable: Bool { get }
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

    public init(
        from: String,
        to: [String],
        subject: String,
        text: String,
        html: String? = nil,
        headers: [(String, String)] = [],
        messageID: String? = nil
    ) {
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
}
