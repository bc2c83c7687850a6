import Foundation

/// An e-mail in Internet Message Format (RFC 5322) with MIME (RFC 2045–2047): a text/plain
/// part, and with HTML a multipart/alternative of both. Everything on the wire is 7-bit: bodies
/// in base64, headers with non-ASCII text as RFC 2047 encoded words, lines ending in CRLF.
public struct MIMEMessage: Sendable, Equatable {
    /// `Name <address>` or a bare address; a non-ASCII name is encoded.
    public var from: String
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String?
    /// Other headers (`List-Unsubscribe`, `Reply-To`, …), in order. Names and values with line
    /// breaks are dropped: they would let a value inject headers.
    public var headers: [(String, String)]
    public var messageID: String
    public var date: Date

    public init(
        from: String,
        to: [String],
        subject: String,
        text: String,
        html: String? = nil,
        headers: [(String, String)] = [],
        messageID: String,
        date: Date = Date()
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.messageID = messageID
        self.date = date
    }

    public static func == (lhs: MIMEMessage, rhs: MIMEMessage) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.subject == rhs.subject && lhs.text == rhs.text && lhs.html == rhs.html
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" } && lhs.messageID == rhs.messageID
            && lhs.date == rhs.date
    }

    /// The message as sent, with `boundary` between the parts of a multipart message.
    public func rendered(boundary: String = "comptoir-" + UUID().uuidString.lowercased()) -> String {
        var lines = [
            Self.header("From", Self.mailbox(from)), Self.header("To", to.map(Self.mailbox).joined(separator: ", ")),
            Self.header("Subject", Self.encodedWords(subject)), "Date: \(Self.rfc5322Date(date))", "Message-ID: \(messageID)", "MIME-Version: 1.0",
        ]
        for (name, value) in headers where Self.isSafe(name) && !name.isEmpty && Self.isSafe(value) {
            lines.append(Self.header(name, value.allSatisfy(\.isASCII) ? value : Self.encodedWords(value)))
        }
        let textPart = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", Self.base64Lines(text)]
        guard let html else {
            return (lines + textPart).joined(separator: "\r\n") + "\r\n"
        }
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("--\(boundary)")
        lines += textPart
        lines += ["--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "", Self.base64Lines(html)]
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The bare address of a mailbox: `a@b` from `Name <a@b>`.
    public static func address(_ mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        return mailbox.trimmingCharacters(in: .whitespaces)
    }

    /// `Name <a@b>` with the name encoded when it is not plain ASCII (or quoted when it has specials).
    static func mailbox(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<") else { return mailbox.trimmingCharacters(in: .whitespaces) }
        let name = mailbox[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let address = Self.address(mailbox)
        guard !name.isEmpty else { return "<\(address)>" }
        if !name.allSatisfy(\.isASCII) { return "\(encodedWords(name)) <\(address)>" }
        let specials = CharacterSet(charactersIn: "()<>[]:;@\\,.\"")
        if name.unicodeScalars.contains(where: specials.contains) {
            return "\"\(name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\" <\(address)>"
        }
        return "\(name) <\(address)>"
    }

    /// RFC 2047 encoded words (`=?UTF-8?B?…?=`), short enough that a header line holding one
    /// stays within 76 characters, split between characters, never inside one; plain ASCII text
    /// is returned as it is.
    public static func encodedWords(_ text: String) -> String {
        guard !text.allSatisfy({ $0.isASCII && !$0.isNewline }) else { return text }
        // 30 bytes of UTF-8 are 40 base64 characters, a 52-character word: with a header name
        // before it (`Subject: `) the line stays under RFC 2047's 76.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text where !character.isNewline {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 30, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A header line; an ASCII value longer than 78 characters is folded at spaces, never
    /// between the name and the value's first word (a long URL stays on the name's line).
    static func header(_ name: String, _ value: String) -> String {
        let line = "\(name): \(value)"
        guard line.count > 78, !value.contains("\r\n") else { return line }
        var words = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var folded: [String] = []
        var current = "\(name): \(words.removeFirst())"
        for word in words {
            if current.count + word.count + 1 > 78 {
                folded.append(current)
                current = word
            } else {
                current += " " + word
            }
        }
        folded.append(current)
        return folded.joined(separator: "\r\n ")
    }

    static func base64Lines(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return Data(normalized.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    static func isSafe(_ value: String) -> Bool { !value.contains(where: { $0.isNewline }) }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
