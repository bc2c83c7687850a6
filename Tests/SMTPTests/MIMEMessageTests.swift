import Foundation
import NIOCore
import Testing

@testable import SMTP

/// The message as it goes on the wire, offline; the conversation itself is tested against a
/// real server in SMTPClientTests.
struct MIMEMessageTests {
    static let date = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func plainASCIIMessageHasOneTextPart() {
        let message = MIMEMessage(
            from: "Shop <shop@example.com>",
            to: ["ann@example.com"],
            subject: "Hello",
            text: "Hi Ann",
            messageID: "<1@x>",
            date: Self.date
        )
        let rendered = message.rendered()
        #expect(rendered.hasPrefix("From: Shop <shop@example.com>\r\nTo: ann@example.com\r\nSubject: Hello\r\nDate: "))
        #expect(rendered.contains("\r\nMessage-ID: <1@x>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        #expect(rendered.contains("Content-Transfer-Encoding: base64\r\n\r\n" + Data("Hi Ann".utf8).base64EncodedString() + "\r\n"))
        #expect(!rendered.contains("multipart"))
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF on the wire")
    }

    @Test func htmlMakesMultipartAlternativeWithTextFirst() {
        let message = MIMEMessage(
            from: "shop@example.com",
            to: ["ann@example.com"],
            subject: "Hi",
            text: "plain",
            html: "<p>rich</p>",
            messageID: "<2@x>",
            date: Self.date
        )
        let rendered = message.rendered(boundary: "B")
        #expect(rendered.contains("Content-Type: multipart/alternative; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8"))
        #expect(rendered.contains("--B\r\nContent-Type: text/html; charset=utf-8"))
        #expect(rendered.hasSuffix("--B--\r\n"))
        #expect(rendered.range(of: "text/plain")!.lowerBound < rendered.range(of: "text/html")!.lowerBound)
    }

    @Test func utf8HeadersAreEncodedWordsThatDecodeBack() throws {
        let subject = "Votre commande n°2026-000042 est confirmée — merci, Zoë ! 🎉 Ça part demain matin"
        let encoded = MIMEMessage.encodedWords(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var bytes: [UInt8] = []
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            #expect(word.count + "Subject: ".count <= 76)
            bytes += try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
        }
        #expect(String(decoding: bytes, as: UTF8.self) == subject)
        #expect(MIMEMessage.encodedWords("plain") == "plain")
    }

    @Test func displayNamesAreEncodedOrQuoted() {
        #expect(
            MIMEMessage.mailbox("Zoë Martin <zoe@example.com>") == "=?UTF-8?B?\(Data("Zoë Martin".utf8).base64EncodedString())?= <zoe@example.com>"
        )
        #expect(MIMEMessage.mailbox("Martin, Zoe <zoe@example.com>") == "\"Martin, Zoe\" <zoe@example.com>")
        #expect(MIMEMessage.mailbox("zoe@example.com") == "zoe@example.com")
        #expect(MIMEMessage.address("Zoë <zoe@example.com>") == "zoe@example.com")
    }

    @Test func headersWithLineBreaksCannotInjectOthers() {
        let message = MIMEMessage(
            from: "shop@example.com",
            to: ["ann@example.com"],
            subject: "Hi",
            text: "x",
            headers: [("List-Unsubscribe", "<https://shop.example/u?t=1>"), ("X-Evil", "a\r\nBcc: victim@example.com"), ("Bad\nName", "v")],
            messageID: "<3@x>",
            date: Self.date
        )
        let rendered = message.rendered()
        #expect(rendered.contains("\r\nList-Unsubscribe: <https://shop.example/u?t=1>\r\n"))
        #expect(!rendered.contains("Bcc:") && !rendered.contains("X-Evil") && !rendered.contains("Bad"))
    }

    @Test func longHeadersAreFoldedAtSpaces() {
        let recipients = (1...8).map { "reader-\($0)@example.com" }
        let message = MIMEMessage(from: "shop@example.com", to: recipients, subject: "Hi", text: "x", messageID: "<4@x>", date: Self.date)
        let toHeader = message.rendered().components(separatedBy: "\r\nSubject:")[0].components(separatedBy: "To: ")[1]
        for line in toHeader.components(separatedBy: "\r\n") { #expect(line.count <= 78) }
        #expect(toHeader.replacingOccurrences(of: "\r\n ", with: " ") == recipients.joined(separator: ", "))
    }

    @Test func dataIsDotStuffedWithCRLFAndEndsWithADotLine() {
        let stuffed = SMTPClient.dotStuffed("line one\n.hidden\r\n..two dots\nlast")
        #expect(String(buffer: stuffed) == "line one\r\n..hidden\r\n...two dots\r\nlast\r\n.\r\n")
    }

    @Test func addressesThatWouldBreakTheCommandLineAreRefused() {
        for bad in ["", "no-at-sign", "a@b>\r\nRCPT TO:<x@y", "zoë@example.com", "a b@example.com"] {
            #expect(throws: SMTPError.self) { try SMTPClient.check(bad) }
        }
        #expect(throws: Never.self) { try SMTPClient.check("ann+news@example.com") }
    }

    @Test func urlsChooseSecurityPortAndLogin() throws {
        let submission = try SMTPConfiguration(url: "smtp://mailer:s%40cret@mail.example.com")
        #expect(submission.port == 587 && submission.security == .startTLSWhenOffered)
        #expect(submission.username == "mailer" && submission.password == "s@cret")
        let relay = try SMTPConfiguration(url: "smtp://relay.local")
        #expect(relay.port == 25 && relay.username == nil)
        #expect(try SMTPConfiguration(url: "smtps://u:p@mail.example.com").port == 465)
        #expect(try SMTPConfiguration(url: "smtps://u:p@mail.example.com").security == .implicitTLS)
        #expect(try SMTPConfiguration(url: "smtp://h:2525?tls=required").security == .startTLS)
        #expect(try SMTPConfiguration(url: "smtp://h:2525?tls=none").security == SMTPConfiguration.Security.none)
        #expect(throws: SMTPError.self) { try SMTPConfiguration(url: "http://h") }
        #expect(throws: SMTPError.self) { try SMTPConfiguration(url: "smtp://h?tls=sometimes") }
    }
}
