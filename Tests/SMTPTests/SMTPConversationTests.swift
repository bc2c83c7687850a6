import Foundation
import Testing

@testable import SMTP

/// The client against FakeSMTPServer: deferrals retried with back-off, permanent limits not,
/// and the bytes of DATA arriving as they were written.
struct SMTPConversationTests {
    private func message(text: String = "Hello\n.a line that starts with a dot\n..two\nBye") -> MIMEMessage {
        MIMEMessage(from: "shop@example.com", to: ["ann@example.com"], subject: "Hi", text: text, messageID: "<\(UUID().uuidString)@test>")
    }

    private func client(_ server: FakeSMTPServer, attempts: Int = 3) -> SMTPClient {
        var configuration = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none, maximumAttempts: attempts)
        configuration.retryDelay = .milliseconds(20)
        return SMTPClient(configuration: configuration)
    }

    @Test func deferralsAreRetriedUntilTheServerTakesTheMail() async throws {
        let server = try await FakeSMTPServer(.init(deferredTransactions: 2))
        let message = message()
        try await client(server).send(message)
        let record = server.record
        #expect(record.attempts == 3)
        #expect(record.messages.count == 1)
        // The server unstuffed the dots: the message arrived as rendered, CRLF and all.
        #expect(record.messages.first.map { $0 + "\r\n" } == message.rendered(boundary: "unused"))
        await server.close()
    }

    @Test func theClientGivesUpAfterItsAttemptsWithTheServersReply() async throws {
        let server = try await FakeSMTPServer(.init(deferredTransactions: 10))
        await #expect {
            try await client(server, attempts: 3).send(message())
        } throws: { error in
            if case SMTPError.temporary(451, _) = error { return true }
            return false
        }
        #expect(server.record.attempts == 3)
        await server.close()
    }

    @Test func aMessageOverTheAdvertisedSizeIsNeverSent() async throws {
        let server = try await FakeSMTPServer(.init(maximumSize: 2000))
        await #expect {
            try await client(server).send(message(text: String(repeating: "long line of text ", count: 400)))
        } throws: { error in
            if case SMTPError.messageTooLarge(_, 2000) = error { return true }
            return false
        }
        #expect(server.record.attempts == 0)
        try await client(server).send(message(text: "short"))
        #expect(server.record.messages.count == 1)
        await server.close()
    }

    @Test func aServerThatIsNotThereIsATransientConnectionFailure() async throws {
        let server = try await FakeSMTPServer(.init())
        let port = server.port
        await server.close()
        var configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, maximumAttempts: 2)
        configuration.retryDelay = .milliseconds(10)
        await #expect {
            try await SMTPClient(configuration: configuration).send(message())
        } throws: { error in
            guard let error = error as? SMTPError, case .connectionFailed = error else { return false }
            return error.isTransient
        }
    }

    @Test func authLoginWhenItIsTheOnlyMechanismOffered() async throws {
        let server = try await FakeSMTPServer(.init(login: ("shop", "s3cret")))
        var configuration = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none, username: "shop", password: "s3cret")
        try await SMTPClient(configuration: configuration).send(message())
        #expect(server.record.loggedIn == "shop" && server.record.messages.count == 1)
        configuration.password = "wrong"
        await #expect {
            try await SMTPClient(configuration: configuration).send(message())
        } throws: { error in
            if case SMTPError.authenticationFailed = error { return true }
            return false
        }
        #expect(server.record.messages.count == 1)
        await server.close()
    }

    @Test func aServerThatStopsAnsweringTimesOut() async throws {
        let server = try await FakeSMTPServer(.init(silent: true))
        var configuration = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none, maximumAttempts: 1)
        configuration.commandTimeout = .milliseconds(200)
        let started = ContinuousClock.now
        await #expect(throws: SMTPError.timeout) { try await SMTPClient(configuration: configuration).send(message()) }
        // Not a speed check: only that the configured timeout ended the wait, not the 30 s default
        // (a loaded CI machine once took 6.5 s to get there).
        #expect(ContinuousClock.now - started < .seconds(25))
        await server.close()
    }
}
