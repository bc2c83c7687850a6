import Foundation

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

    /// The message in RFC 5322 form with MIME parts (UTF-8 parts in base64).
    public func rfc5322(date: Date = Date()) -> String {
        func encodedHeader(_ value: String) -> String {
            value.allSatisfy { $0.isASCII && !$0.isNewline } ? value : "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
        }
        func base64Body(_ text: String) -> String {
            Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        }
        var lines = [
            "From: \(from)", "To: \(to.joined(separator: ", "))", "Subject: \(encodedHeader(subject))",
            "Date: \(Self.rfc5322Date(date))", "Message-ID: \(messageID)", "MIME-Version: 1.0",
        ]
        for (name, value) in headers where !name.contains(where: \.isNewline) && !value.contains(where: \.isNewline) {
            lines.append("\(name): \(value)")
        }
        let textPart = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Body(text)]
        guard let html else {
            return (lines + textPart).joined(separator: "\r\n") + "\r\n"
        }
        let boundary = "comptoir-\(UUID().uuidString.lowercased())"
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("--\(boundary)")
        lines += textPart
        lines += ["--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Body(html)]
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
