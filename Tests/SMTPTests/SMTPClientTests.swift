import Foundation
import NIOSSL
import Testing

@testable import SMTP

/// The SMTP sinks of the run (scripts/smtp-sink on aiosmtpd, started by scripts/integration-test):
/// `COMPTOIR_TEST_SMTP_URL` plain, `COMPTOIR_TEST_SMTPS_URL` with STARTTLS required and a login,
/// its certificate in `COMPTOIR_TEST_SMTP_CA_FILE`; each stores what it receives in
/// `COMPTOIR_TEST_SMTP_DIR` / `COMPTOIR_TEST_SMTPS_DIR`. Failures a real server does not make
/// on demand (deferrals, a small SIZE) are in SMTPConversationTests, against FakeSMTPServer.
enum TestSinks {
    static let environment = ProcessInfo.processInfo.environment
    static let plainURL = environment["COMPTOIR_TEST_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static func value(_ name: String) -> String { environment[name] ?? "" }

    /// The sink's files for the message with `messageID`: the .eml text and the envelope.
    static func received(_ messageID: String, in directory: String) async throws -> (eml: String, envelope: [String: Any])? {
        for _ in 0..<50 {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".eml") {
                let path = directory + "/" + name
                guard let eml = try? String(contentsOfFile: path, encoding: .utf8), eml.contains(messageID) else { continue }
                let json = try Data(contentsOf: URL(fileURLWithPath: String(path.dropLast(4)) + ".json"))
                return (eml, try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:])
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

@Suite(.enabled(if: TestSinks.plainURL != nil, "set COMPTOIR_TEST_SMTP_URL to run against a real SMTP server"))
struct SMTPClientTests {
    private func message(to: String = "ann@example.com", text: String = "Hello\n.a line that starts with a dot\nBye") -> MIMEMessage {
        MIMEMessage(
            from: "Comptoir <shop@example.com>",
            to: [to],
            subject: "Réception n°\(UUID().uuidString.prefix(4))",
            text: text,
            html: "<p>Hello</p>",
            headers: [("List-Unsubscribe", "<https://shop.example/unsubscribe?t=abc>")],
            messageID: "<\(UUID().uuidString.lowercased())@comptoir.test>"
        )
    }

    private var tlsConfiguration: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(TestSinks.value("COMPTOIR_TEST_SMTP_CA_FILE"))
        return tls
    }

    @Test func aPlainServerReceivesTheMessageWithDotsUnstuffed() async throws {
        let client = SMTPClient(configuration: try SMTPConfiguration(url: TestSinks.plainURL!))
        let message = message()
        try await client.send(message)
        let received = try #require(try await TestSinks.received(message.messageID, in: TestSinks.value("COMPTOIR_TEST_SMTP_DIR")))
        #expect(received.envelope["mail_from"] as? String == "shop@example.com")
        #expect(received.envelope["rcpt_tos"] as? [String] == ["ann@example.com"])
        #expect(received.envelope["tls"] as? Bool == false)
        #expect(received.eml.contains("List-Unsubscribe: <https://shop.example/unsubscribe?t=abc>"))
    }

    @Test func startTLSAndALoginWhenTheServerWantsThem() async throws {
        var configuration = try SMTPConfiguration(url: TestSinks.value("COMPTOIR_TEST_SMTPS_URL") + "?tls=required")
        configuration.tls = tlsConfiguration
        let message = message(to: "bob@example.com")
        try await SMTPClient(configuration: configuration).send(message)
        let received = try #require(try await TestSinks.received(message.messageID, in: TestSinks.value("COMPTOIR_TEST_SMTPS_DIR")))
        #expect(received.envelope["tls"] as? Bool == true)
        #expect(received.envelope["login"] as? String == configuration.username)
    }

    @Test func aWrongPasswordIsRefusedAtOnce() async throws {
        var configuration = try SMTPConfiguration(url: TestSinks.value("COMPTOIR_TEST_SMTPS_URL"))
        configuration.tls = tlsConfiguration
        configuration.password = "wrong"
        configuration.retryDelay = .seconds(30)  // a retry would show as a slow test; there must be none
        let started = ContinuousClock.now
        await #expect {
            try await SMTPClient(configuration: configuration).send(message())
        } throws: { error in
            if case SMTPError.authenticationFailed = error { return true }
            return false
        }
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test func anUntrustedCertificateOrAMissingSTARTTLSStopsTheMail() async throws {
        var untrusted = try SMTPConfiguration(url: TestSinks.value("COMPTOIR_TEST_SMTPS_URL"))
        untrusted.maximumAttempts = 1
        await #expect(throws: SMTPError.self) { try await SMTPClient(configuration: untrusted).send(message()) }
        var required = try SMTPConfiguration(url: TestSinks.plainURL! + "?tls=required")
        required.maximumAttempts = 1
        await #expect(throws: SMTPError.tlsUnavailable) { try await SMTPClient(configuration: required).send(message()) }
    }
}
