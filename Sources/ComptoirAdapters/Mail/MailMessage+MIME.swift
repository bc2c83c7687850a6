import ComptoirKit
import Foundation
import SMTP

extension MailMessage {
    /// The message as MIME (``SMTP/MIMEMessage``): the same bytes for an `.eml` file and for SMTP.
    public func mime(date: Date = Date()) -> MIMEMessage {
        MIMEMessage(from: from, to: to, subject: subject, text: text, html: html, headers: headers, messageID: messageID, date: date)
    }

    /// The message in RFC 5322 form with MIME parts (UTF-8 parts in base64).
    public func rfc5322(date: Date = Date()) -> String {
        mime(date: date).rendered()
    }
}
